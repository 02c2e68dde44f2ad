// SlotTable: records named by string ids, addressed by small integer indexes.
//
// The allocator refers to agents, frameworks and roles by index in its hot
// path (sorter clients, filters, per-agent maps): integers hash and compare
// faster than id strings. Records live behind unique_ptr so references stay
// valid while the table grows; freed indexes are reused, so whoever removes a
// record must first drop every index that refers to it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace cairn::master {

template <typename T>
class SlotTable {
 public:
  using Index = uint32_t;

  // Index of `id`, or nullptr.
  const Index* find(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &it->second;
  }

  // Creates a default record for `id` (which must not exist) and returns its index.
  Index insert(const std::string& id) {
    Index index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<Index>(slots_.size());
      slots_.emplace_back();
    }
    slots_[index] = std::make_unique<T>();
    index_.emplace(id, index);
    return index;
  }

  void erase(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    slots_[it->second].reset();
    free_.push_back(it->second);
    index_.erase(it);
  }

  T& operator[](Index index) { return *slots_[index]; }
  const T& operator[](Index index) const { return *slots_[index]; }
  size_t size() const { return index_.size(); }

  // Live (id, index) pairs, in no particular order.
  const std::unordered_map<std::string, Index>& ids() const { return index_; }

 private:
  std::vector<std::unique_ptr<T>> slots_;
  std::vector<Index> free_;
  std::unordered_map<std::string, Index> index_;
};

}  // namespace cairn::master
