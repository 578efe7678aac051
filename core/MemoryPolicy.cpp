#include "MemoryPolicy.h"

#include <malloc.h>

namespace attnscope {

void useMappedLargeAllocations()
{
    mallopt(M_MMAP_THRESHOLD, 4 << 20);  // setting it also turns glibc's dynamic threshold off
}

}  // namespace attnscope
