#include "base/CpuFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace attnscope {

bool cpuHasAvx2FmaF16c()
{
#if defined(__x86_64__)
    // CPUID directly: gcc's and clang's __builtin_cpu_supports do not agree on the "f16c" name.
    static const bool yes = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d))
            return false;
        const bool fma = c & (1u << 12), f16c = c & (1u << 29), osxsave = c & (1u << 27), avx = c & (1u << 28);
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
            return false;
        const bool avx2 = b & (1u << 5);
        return fma && f16c && osxsave && avx && avx2;
    }();
    return yes;
#else
    return false;
#endif
}

}  // namespace attnscope
