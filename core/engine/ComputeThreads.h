#pragma once
// LibTorch starts with one intra-op thread here; the engine uses every core unless told otherwise.

namespace attnscope {

// Sets LibTorch's intra-op thread count; 0 means "all cores". Returns the count in effect.
int setComputeThreads(int threads);
int computeThreads();

}  // namespace attnscope
