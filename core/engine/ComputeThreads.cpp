#include "engine/ComputeThreads.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <thread>

namespace attnscope {

int setComputeThreads(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    return at::get_num_threads();
}

int computeThreads() { return at::get_num_threads(); }

ScopedComputeThreads::ScopedComputeThreads(std::optional<int> threads)
{
    if (threads) {
        previous_ = computeThreads();
        setComputeThreads(*threads);
    }
}

ScopedComputeThreads::~ScopedComputeThreads()
{
    if (previous_ > 0)
        setComputeThreads(previous_);
}

}  // namespace attnscope
