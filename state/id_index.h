// IdIndex: a string -> individual id lookup that stores no strings. Each slot holds the key's
// hash and the id; a lookup confirms a candidate by reading the key back from the individual
// (its branch, its code hash), which already holds it. At 100k individuals this is 16 bytes a
// slot instead of a node, a second copy of the string and its allocation (bench/README.md).
// Insert-only, open addressing with linear probing; the table stays at most half full.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace evo::state {

class IdIndex {
 public:
  // The id stored under `key`. `key_of(id)` gives the key an id stands for.
  template <typename KeyOf>
  std::optional<std::uint64_t> find(std::string_view key, const KeyOf& key_of) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask(); slots_[i].id != kEmpty; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && key_of(slots_[i].id) == key) return slots_[i].id;
    }
    return std::nullopt;
  }

  // Stores key -> id unless the key is there already; true when it was stored. `key_of` is only
  // called for ids already in the index (so `id` may not exist yet).
  template <typename KeyOf>
  bool insert(std::string_view key, std::uint64_t id, const KeyOf& key_of) {
    return put(key, id, key_of, false);
  }

  // Stores key -> id, replacing the id of an equal key.
  template <typename KeyOf>
  void assign(std::string_view key, std::uint64_t id, const KeyOf& key_of) {
    put(key, id, key_of, true);
  }

  // Calls f(id) for every stored id, in no particular order.
  template <typename F>
  void for_each(const F& f) const {
    for (const auto& s : slots_) {
      if (s.id != kEmpty) f(s.id);
    }
  }

  std::size_t size() const { return size_; }
  void reserve(std::size_t n) {
    std::size_t want = 16;
    while (want < 2 * n) want *= 2;
    if (want > slots_.size()) rehash(want);
  }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t id = kEmpty;
  };

  static std::uint64_t hash(std::string_view key) {
    return static_cast<std::uint64_t>(std::hash<std::string_view>{}(key));
  }
  std::size_t mask() const { return slots_.size() - 1; }

  template <typename KeyOf>
  bool put(std::string_view key, std::uint64_t id, const KeyOf& key_of, bool replace) {
    if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
    const std::uint64_t h = hash(key);
    std::size_t i = h & mask();
    for (; slots_[i].id != kEmpty; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && key_of(slots_[i].id) == key) {
        if (replace) slots_[i].id = id;
        return replace;
      }
    }
    slots_[i] = Slot{h, id};
    ++size_;
    return true;
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const auto& s : old) {
      if (s.id == kEmpty) continue;
      std::size_t i = s.hash & mask();
      while (slots_[i].id != kEmpty) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace evo::state
