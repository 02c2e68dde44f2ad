// "Did you mean ...?" for misspelt keys, flags and names.
//
// closest_match() returns the candidate with the smallest edit distance to
// the given word when that distance is small enough to be a plausible typo
// (at most a third of the word's length, and at least 1), else nothing.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cairn {

// Levenshtein distance (insert, delete, substitute, and swapping two adjacent
// characters each cost 1).
size_t edit_distance(std::string_view a, std::string_view b);

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string> candidates);
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

}  // namespace cairn
