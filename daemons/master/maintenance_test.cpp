// Maintenance as a value: parsing, validation and the UP → DRAINING → DOWN
// → UP transitions, with the errors an operator sees.
#include "daemons/master/maintenance.hpp"

#include <gtest/gtest.h>

namespace cairn::master {
namespace {

nlohmann::json window(std::vector<nlohmann::json> machines, int64_t start = 1'000'000'000,
                      std::optional<int64_t> duration = 3'600'000'000'000) {
  nlohmann::json unavailability{{"start", {{"nanoseconds", start}}}};
  if (duration) unavailability["duration"] = {{"nanoseconds", *duration}};
  return {{"machine_ids", machines}, {"unavailability", unavailability}};
}

Maintenance scheduled(const nlohmann::json& schedule) {
  Result<std::vector<MaintenanceWindow>> windows = parse_schedule(schedule);
  EXPECT_TRUE(windows.ok()) << windows.error();
  Result<Maintenance> next = Maintenance().with_schedule(*windows);
  EXPECT_TRUE(next.ok()) << next.error();
  return *next;
}

const MachineId kOne{"machine1", "10.0.0.1"};
const MachineId kTwo{"machine2", "10.0.0.2"};

TEST(Maintenance, ScheduledMachinesDrainAndHostnamesIgnoreCase) {
  Maintenance m = scheduled({{"windows",
                              {window({{{"hostname", "Machine1"}, {"ip", "10.0.0.1"}},
                                       {{"hostname", "machine2"}, {"ip", "10.0.0.2"}}})}}});
  EXPECT_EQ(m.mode(kOne), MachineMode::kDraining);
  EXPECT_EQ(m.mode(machine_of("MACHINE2", "10.0.0.2")), MachineMode::kDraining);
  // Both fields must match what the agent announces.
  EXPECT_FALSE(m.mode(machine_of("machine1", "10.0.0.9")).has_value());
  ASSERT_TRUE(m.unavailability(kOne).has_value());
  EXPECT_EQ(m.unavailability(kOne)->to_json(),
            nlohmann::json::parse(
                R"({"start":{"nanoseconds":1000000000},"duration":{"nanoseconds":3600000000000}})"));
  EXPECT_EQ(m.status_json(), nlohmann::json::parse(R"({"draining_machines":[
      {"id":{"hostname":"machine1","ip":"10.0.0.1"}},
      {"id":{"hostname":"machine2","ip":"10.0.0.2"}}]})"));
  EXPECT_EQ(Maintenance().status_json(), nlohmann::json::object());  // repeated fields: omitted
  EXPECT_EQ(Maintenance().schedule_json(), nlohmann::json::object());
}

TEST(Maintenance, InvalidSchedulesNameWhatIsWrong) {
  auto error = [](const nlohmann::json& json) {
    Result<std::vector<MaintenanceWindow>> parsed = parse_schedule(json);
    return parsed.ok() ? std::string("accepted") : parsed.error();
  };
  EXPECT_NE(error({{"windows", {window({})}}}).find("at least one machine"), std::string::npos);
  EXPECT_NE(error({{"windows", {window({nlohmann::json::object()})}}}).find("hostname or an ip"),
            std::string::npos);
  EXPECT_NE(error({{"windows", {window({{{"ip", "10.0.0.300"}}})}}}).find("not an IPv4 or IPv6"),
            std::string::npos);
  EXPECT_NE(error({{"windows", {window({{{"hostname", "a"}}}), window({{{"hostname", "A"}}})}}})
                .find("more than once"),
            std::string::npos);
  EXPECT_NE(error({{"windows", {{{"machine_ids", {{{"hostname", "a"}}}}}}}}).find("unavailability"),
            std::string::npos);
  EXPECT_NE(error({{"windows", {window({{{"hostname", "a"}}}, 0, -1)}}}).find("negative"),
            std::string::npos);
  nlohmann::json string_start = window({{{"hostname", "a"}}});
  string_start["unavailability"]["start"] = "now";
  EXPECT_NE(error({{"windows", {string_start}}}).find("windows[0].unavailability.start"),
            std::string::npos);
  EXPECT_EQ(error(nlohmann::json::object()), "accepted");  // the empty schedule
}

TEST(Maintenance, DownThenUpLeavesTheSchedule) {
  Maintenance m = scheduled({{"windows",
                              {window({{{"hostname", "machine1"}, {"ip", "10.0.0.1"}},
                                       {{"hostname", "machine2"}, {"ip", "10.0.0.2"}}})}}});
  // Only scheduled, draining machines go down.
  Result<Maintenance> unknown = m.with_down({{"machine3", ""}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("not in the maintenance schedule"), std::string::npos);
  Result<Maintenance> down = m.with_down({kOne});
  ASSERT_TRUE(down.ok()) << down.error();
  EXPECT_EQ(down->mode(kOne), MachineMode::kDown);
  EXPECT_FALSE(down->with_down({kOne}).ok());  // already down

  // A DOWN machine must stay in any new schedule.
  Result<Maintenance> dropped = down->with_schedule({});
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.error().find("is DOWN and must stay in the schedule"), std::string::npos);

  // Only DOWN machines come up; they leave the schedule.
  EXPECT_FALSE(down->with_up({kTwo}).ok());
  Result<Maintenance> up = down->with_up({kOne});
  ASSERT_TRUE(up.ok()) << up.error();
  EXPECT_FALSE(up->mode(kOne).has_value());
  EXPECT_EQ(up->mode(kTwo), MachineMode::kDraining);
  ASSERT_EQ(up->schedule().size(), 1u);
  EXPECT_EQ(up->schedule()[0].machines, std::vector<MachineId>{kTwo});

  // Re-posting a schedule keeps a DOWN machine down; leaving a draining one
  // out brings it back up.
  Result<std::vector<MaintenanceWindow>> only_one =
      parse_schedule({{"windows", {window({{{"hostname", "machine1"}, {"ip", "10.0.0.1"}}})}}});
  ASSERT_TRUE(only_one.ok());
  Result<Maintenance> reposted = down->with_schedule(*only_one);
  ASSERT_TRUE(reposted.ok()) << reposted.error();
  EXPECT_EQ(reposted->mode(kOne), MachineMode::kDown);
  EXPECT_FALSE(reposted->mode(kTwo).has_value());
}

TEST(Maintenance, TheRegistryFormRoundTrips) {
  Maintenance m = scheduled({{"windows",
                              {window({{{"hostname", "machine1"}, {"ip", "10.0.0.1"}}}),
                               window({{{"ip", "10.0.0.2"}}}, 5, std::nullopt)}}});
  Result<Maintenance> down = m.with_down({kOne});
  ASSERT_TRUE(down.ok());
  Result<Maintenance> read = Maintenance::from_json(down->to_json());
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(*read, *down);
  EXPECT_EQ(read->mode(MachineId{"", "10.0.0.2"}), MachineMode::kDraining);
  EXPECT_FALSE(read->unavailability(MachineId{"", "10.0.0.2"})->duration_ns.has_value());
  EXPECT_FALSE(Maintenance::from_json(nlohmann::json::array()).ok());
}

TEST(Maintenance, MachineListsAreChecked) {
  EXPECT_FALSE(parse_machines(nlohmann::json::array(), "machines").ok());
  EXPECT_FALSE(parse_machines(nlohmann::json::object(), "machines").ok());
  Result<std::vector<MachineId>> twice =
      parse_machines(nlohmann::json::parse(R"([{"hostname":"a"},{"hostname":"A"}])"), "machines");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().find("more than once"), std::string::npos);
  Result<std::vector<MachineId>> ok =
      parse_machines(nlohmann::json::parse(R"([{"hostname":"a","ip":"::1"}])"), "machines");
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ((*ok)[0], (MachineId{"a", "::1"}));
}

}  // namespace
}  // namespace cairn::master
