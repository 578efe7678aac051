#pragma once
// What this CPU runs of the hand-vectorised kernels, asked once: the f16 and quantized kernels need
// AVX2, FMA and F16C; the quantized rows' dot products have a second version for AVX-512 with VNNI.
namespace attnscope {

bool cpuHasAvx2FmaF16c();

// AVX-512 F, BW and VL with VNNI, and an operating system that saves their registers.
bool cpuHasAvx512Vnni();

}  // namespace attnscope
