#pragma once
// How the process asks for memory. Called once at start by the CLI and the GUI.

namespace attnscope {

// Allocations of 4 MB and more get their own mapping, returned to the system when freed. glibc's
// default raises that threshold to 32 MB after the first large free, after which each window's
// tens-of-megabytes temporaries (attention, logits) came from the heap and fragmented it: an hour of
// Whisper tiny grew the heap to 1.2 GB holding 0.4 GB of live data.
void useMappedLargeAllocations();

}  // namespace attnscope
