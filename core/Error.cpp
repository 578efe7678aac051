#include "Error.h"

namespace attnscope {

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
