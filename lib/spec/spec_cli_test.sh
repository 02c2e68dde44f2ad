#!/usr/bin/env bash
# Exit codes and output of `cairn spec`; run by CTest as
#   spec_cli_test.sh CAIRN SOURCE_DIR
set -u
cairn=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect NAME WANTED_EXIT REGEX -- COMMAND...: the exit code, and a line of
# stdout+stderr matching REGEX.
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [[ $got -ne $want ]] || ! grep -qE -- "$pattern" "$tmp/out"; then
    echo "FAIL $name: exit $got (wanted $want and a line matching /$pattern/), output:"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

examples=$src/config-schema/examples
expect valid-single-node 0 "^  masters: +1 master, quorum 1" -- "$cairn" spec validate "$examples/single-node.yaml"
expect summary-agents 0 "^  agents: +1 agent: 1 private, 0 public" -- "$cairn" spec validate "$examples/single-node.yaml"
expect production-needs-files 2 "security.tls.ca_cert: file '/etc/cairn/tls/ca.crt' does not exist" -- "$cairn" spec validate "$examples/production.yaml"
expect production-no-file-checks 0 "zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos" -- "$cairn" spec validate --no-file-checks "$examples/production.yaml"
expect flag-after-file 0 "valid$" -- "$cairn" spec validate "$examples/production.yaml" --no-file-checks

"$cairn" spec example >"$tmp/example.yaml"
expect example-validates 0 "prod-east, Cairn 1.0.0" -- "$cairn" spec validate --no-file-checks "$tmp/example.yaml"
expect example-is-commented 0 "^#" -- cat "$tmp/example.yaml"

"$cairn" spec schema >"$tmp/schema.json"
expect schema-is-json 0 '^2020-12$' -- python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['\$schema'].split('/')[-2])" "$tmp/schema.json"
expect schema-is-the-file 0 '^same$' -- bash -c 'cmp "$1" "$2" && echo same' - "$tmp/schema.json" "$src/config-schema/cluster.schema.json"
# The examples satisfy the schema too, where python3 has jsonschema and yaml.
if python3 -c "import jsonschema, yaml" 2>/dev/null; then
  for f in "$examples"/*.yaml; do
    expect "schema-accepts-$(basename "$f")" 0 '^ok$' -- python3 -c "
import json, sys, yaml, jsonschema
jsonschema.validate(yaml.safe_load(open(sys.argv[2])), json.load(open(sys.argv[1])))
print('ok')" "$tmp/schema.json" "$f"
  done
else
  echo "skip schema-accepts-examples (python3 jsonschema or yaml missing)"
fi

printf 'apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmastres: []\n' >"$tmp/bad.yaml"
expect invalid-exits-2 2 "^$tmp/bad.yaml:3:1: mastres: unknown key \(did you mean 'masters'\?\)$" -- "$cairn" spec validate "$tmp/bad.yaml"
expect counts-errors 2 "^2 errors$" -- "$cairn" spec validate "$tmp/bad.yaml"
expect diagnostics-on-stderr 0 '^stdout:$' -- bash -c 'echo "stdout:$("$1" spec validate "$2" 2>/dev/null)"' - "$cairn" "$tmp/bad.yaml"
printf 'apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmasters: [{host: 10.0.0.1}, {host: 10.0.0.2}]\n' >"$tmp/two.yaml"
expect one-error 2 "^1 error$" -- "$cairn" spec validate "$tmp/two.yaml"
expect missing-file 2 "none.yaml: cannot read the spec: does not exist" -- "$cairn" spec validate "$tmp/none.yaml"
expect directory 2 "is a directory" -- "$cairn" spec validate "$tmp"
expect no-file-arg 2 "validate needs a FILE" -- "$cairn" spec validate
expect two-files 2 "validate takes one FILE" -- "$cairn" spec validate a.yaml b.yaml
expect unknown-option 2 "unknown option '--strict'" -- "$cairn" spec validate --strict x.yaml
expect dash-dash 2 "^-x.yaml: cannot read the spec" -- "$cairn" spec validate -- -x.yaml
expect unknown-subcommand 2 "expected validate, example or schema" -- "$cairn" spec check
expect no-subcommand 2 "missing subcommand" -- "$cairn" spec
expect example-no-args 2 "example takes no arguments" -- "$cairn" spec example extra
expect unknown-command 2 "unknown command 'frobnicate'" -- "$cairn" frobnicate
expect help 0 "cairn spec validate \[--no-file-checks\] FILE" -- "$cairn" spec --help
expect validate-help 0 "no-file-checks" -- "$cairn" spec validate --help

if [[ $failures -gt 0 ]]; then
  echo "$failures failed"
  exit 1
fi
