// libFuzzer target: bytes -> attnscope::fuzz::loadWhisperModel (see FuzzEntryPoints.h).
#include "FuzzEntryPoints.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    attnscope::fuzz::loadWhisperModel(data, size);
    return 0;
}
