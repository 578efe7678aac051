// libFuzzer target: bytes -> attnscope::fuzz::loadAudio (see FuzzEntryPoints.h).
#include "FuzzEntryPoints.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    attnscope::fuzz::loadAudio(data, size);
    return 0;
}
