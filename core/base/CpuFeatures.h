#pragma once
// Whether this CPU runs the hand-vectorised f16 kernels (AVX2, FMA and F16C), asked once.
namespace attnscope {

bool cpuHasAvx2FmaF16c();

}  // namespace attnscope
