// libFuzzer target: bytes -> attnscope::fuzz::loadSessionFile (see FuzzEntryPoints.h).
#include "FuzzEntryPoints.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    attnscope::fuzz::loadSessionFile(data, size);
    return 0;
}
