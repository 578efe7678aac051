#pragma once
// A read-only array of float16 values that lives either in memory or in a memory-mapped spill file
// (see AttentionSpill). Copies share the data, so a transcript passes between threads for free.
#include <QtCore/qfloat16.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace attnscope {

class HalfArray {
public:
    HalfArray() = default;
    explicit HalfArray(std::vector<qfloat16> values);
    // A view of `size` values at `data`, valid as long as `owner` lives (a file mapping).
    HalfArray(std::shared_ptr<const void> owner, const qfloat16* data, size_t size, bool spilled);

    const qfloat16* data() const { return data_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const qfloat16& operator[](size_t i) const { return data_[i]; }
    const qfloat16* begin() const { return data_; }
    const qfloat16* end() const { return data_ + size_; }
    // Whether the values live in the spill file rather than in memory.
    bool spilled() const { return spilled_; }

    bool operator==(const HalfArray& other) const;

private:
    std::shared_ptr<const void> owner_;
    const qfloat16* data_ = nullptr;
    size_t size_ = 0;
    bool spilled_ = false;
};

}  // namespace attnscope
