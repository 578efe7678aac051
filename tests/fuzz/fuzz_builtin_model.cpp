// libFuzzer target: bytes -> attnscope::fuzz::loadBuiltinModel (see FuzzEntryPoints.h).
#include "FuzzEntryPoints.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    attnscope::fuzz::loadBuiltinModel(data, size);
    return 0;
}
