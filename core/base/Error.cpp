#include "base/Error.h"

namespace attnscope {

void throwIfCancelled(const std::atomic<bool>* cancel)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        throw Error(ErrorKind::Cancelled, "cancelled");
}

int exitCodeFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Usage: return 2;
    case ErrorKind::Audio: return 3;
    case ErrorKind::Model: return 4;
    case ErrorKind::Io: return 5;
    case ErrorKind::Cancelled: return 130;
    }
    return 1;
}

}  // namespace attnscope
