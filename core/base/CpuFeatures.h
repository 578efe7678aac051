#pragma once
// What this CPU runs of the hand-vectorised kernels, asked once: the f16 and quantized kernels need
// AVX2, FMA and F16C; the quantized rows' dot products have a second version for AVX-512 with VNNI.
namespace attnscope {

bool cpuHasAvx2FmaF16c();

// AVX-512 F, BW and VL with VNNI, and an operating system that saves their registers. False when the
// environment sets ATTNSCOPE_NO_AVX512 (to measure what a CPU with AVX2 alone runs).
bool cpuHasAvx512Vnni();

// The kernels in use, for benchmarks: "avx512-vnni", "avx2" or "portable".
const char* cpuKernelsName();

}  // namespace attnscope
