#include "transcript/HalfArray.h"

#include <cstring>

namespace attnscope {

HalfArray::HalfArray(std::vector<qfloat16> values)
{
    auto owned = std::make_shared<std::vector<qfloat16>>(std::move(values));
    data_ = owned->data();
    size_ = owned->size();
    owner_ = std::move(owned);
}

HalfArray::HalfArray(std::shared_ptr<const void> owner, const qfloat16* data, size_t size, bool spilled)
    : owner_(std::move(owner)), data_(data), size_(size), spilled_(spilled)
{
}

bool HalfArray::operator==(const HalfArray& other) const
{
    // Bitwise: a stored weight is either the same half or not.
    return size_ == other.size_ && (size_ == 0 || std::memcmp(data_, other.data_, size_ * sizeof(qfloat16)) == 0);
}

}  // namespace attnscope
