#include "base/CpuFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <cstdint>
#endif
#include <cstdlib>

namespace attnscope {

#if defined(__x86_64__)
namespace {

struct CpuidBits {
    unsigned a = 0, b = 0, c = 0, d = 0;
};

// The register state the operating system saves on a context switch (XCR0); only valid with OSXSAVE.
uint64_t savedState()
{
    uint32_t low = 0, high = 0;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (static_cast<uint64_t>(high) << 32) | low;
}

}  // namespace
#endif

bool cpuHasAvx2FmaF16c()
{
#if defined(__x86_64__)
    // CPUID directly: gcc's and clang's __builtin_cpu_supports do not agree on the "f16c" name.
    static const bool yes = [] {
        CpuidBits one, seven;
        if (!__get_cpuid(1, &one.a, &one.b, &one.c, &one.d))
            return false;
        const bool fma = one.c & (1u << 12), f16c = one.c & (1u << 29), osxsave = one.c & (1u << 27),
                   avx = one.c & (1u << 28);
        if (!osxsave || (savedState() & 0x6) != 0x6)  // SSE and AVX registers
            return false;
        if (!__get_cpuid_count(7, 0, &seven.a, &seven.b, &seven.c, &seven.d))
            return false;
        const bool avx2 = seven.b & (1u << 5);
        return fma && f16c && avx && avx2;
    }();
    return yes;
#else
    return false;
#endif
}

bool cpuHasAvx512Vnni()
{
#if defined(__x86_64__)
    static const bool yes = [] {
        if (std::getenv("ATTNSCOPE_NO_AVX512") || !cpuHasAvx2FmaF16c() || (savedState() & 0xE0) != 0xE0)  // opmask and the upper ZMM registers
            return false;
        CpuidBits seven;
        if (!__get_cpuid_count(7, 0, &seven.a, &seven.b, &seven.c, &seven.d))
            return false;
        const bool f = seven.b & (1u << 16), bw = seven.b & (1u << 30), vl = seven.b & (1u << 31),
                   vnni = seven.c & (1u << 11);
        return f && bw && vl && vnni;
    }();
    return yes;
#else
    return false;
#endif
}

const char* cpuKernelsName()
{
    return cpuHasAvx512Vnni() ? "avx512-vnni" : cpuHasAvx2FmaF16c() ? "avx2" : "portable";
}

}  // namespace attnscope
