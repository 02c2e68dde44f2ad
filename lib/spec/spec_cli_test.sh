#!/usr/bin/env bash
# Exit codes and output of `cairn spec` (run by CTest: spec_cli_test.sh CAIRN SOURCE_DIR).
set -u
cairn=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect() {  # expect NAME WANTED_EXIT GREP_PATTERN -- COMMAND...
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [[ $got -ne $want ]] || ! grep -qE -- "$pattern" "$tmp/out"; then
    echo "FAIL $name: exit $got (wanted $want), output:"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect valid-single-node 0 "valid" -- "$cairn" spec validate "$src/config-schema/examples/single-node.yaml"
expect production-needs-files 2 "does not exist" -- "$cairn" spec validate "$src/config-schema/examples/production.yaml"
expect production-no-file-checks 0 "quorum 2" -- "$cairn" spec validate --no-file-checks "$src/config-schema/examples/production.yaml"
"$cairn" spec example >"$tmp/example.yaml"
expect example-validates 0 "prod-east" -- "$cairn" spec validate --no-file-checks "$tmp/example.yaml"
"$cairn" spec schema >"$tmp/schema.json"
expect schema-is-json 0 '^2020-12$' -- python3 -c "import json; s = json.load(open('$tmp/schema.json')); print(s['\$schema'].split('/')[-2])"
printf 'apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmastres: []\n' >"$tmp/bad.yaml"
expect invalid-exits-2 2 "bad.yaml:3:1: mastres: unknown key \(did you mean 'masters'\?\)" -- "$cairn" spec validate "$tmp/bad.yaml"
expect counts-errors 2 "^2 errors$" -- "$cairn" spec validate "$tmp/bad.yaml"
expect missing-file 2 "cannot read the file" -- "$cairn" spec validate "$tmp/none.yaml"
expect no-file-arg 2 "validate needs a FILE" -- "$cairn" spec validate
expect unknown-option 2 "unknown option '--strict'" -- "$cairn" spec validate --strict x.yaml
expect unknown-subcommand 2 "expected validate, example or schema" -- "$cairn" spec check
expect unknown-command 2 "unknown command 'frobnicate'" -- "$cairn" frobnicate
expect help 0 "cairn spec validate" -- "$cairn" spec --help

if [[ $failures -gt 0 ]]; then
  echo "$failures failed"
  exit 1
fi
