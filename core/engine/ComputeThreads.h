#pragma once
// LibTorch starts with one intra-op thread here; the engine uses every core unless told otherwise.

#include <optional>

namespace attnscope {

// Sets LibTorch's intra-op thread count; 0 means "all cores". Returns the count in effect.
int setComputeThreads(int threads);
int computeThreads();

// TranscribeOptions::threads for one call: sets the count (when given) and restores the previous one
// when the call ends. LibTorch's count is process-wide, so two calls at once with different counts
// share whichever was set last; the GUI and the CLI run one call at a time.
class ScopedComputeThreads {
public:
    explicit ScopedComputeThreads(std::optional<int> threads);
    ~ScopedComputeThreads();
    ScopedComputeThreads(const ScopedComputeThreads&) = delete;
    ScopedComputeThreads& operator=(const ScopedComputeThreads&) = delete;

private:
    int previous_ = 0;
};

}  // namespace attnscope
