#include "base/MemoryPolicy.h"

#include <malloc.h>

namespace attnscope {

void setAllocationPolicy()
{
    mallopt(M_MMAP_THRESHOLD, 4 << 20);  // setting it also turns glibc's dynamic thresholds off
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace attnscope
