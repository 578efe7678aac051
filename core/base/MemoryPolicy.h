#pragma once
// How the process asks for memory. Called once at start by the CLI, the GUI and the trainer.

namespace attnscope {

// Two glibc settings:
// - Allocations of 4 MB and more get their own mapping, returned to the system when freed. glibc's
//   default raises that threshold to 32 MB after the first large free, after which each window's
//   tens-of-megabytes temporaries (attention, logits) came from the heap and fragmented it: an hour
//   of Whisper tiny grew the heap to 1.2 GB holding 0.4 GB of live data.
// - Up to 64 MB of free memory at the top of the heap is kept instead of being handed back (glibc's
//   fixed default, once the threshold above is set, is 128 KB). Otherwise every encoder window
//   faulted its smaller temporaries in again page by page: keeping them made a tiny.en window's
//   encode 12-20 % faster (docs/benchmarks.md).
void setAllocationPolicy();

}  // namespace attnscope
