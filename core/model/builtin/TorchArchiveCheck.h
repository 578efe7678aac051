#pragma once
// Checks a LibTorch archive (a zip of pickles and tensor records) before LibTorch parses it.
//
// Why by hand: LibTorch's reader trusts the file. Debian's build skips the zip CRC-32 check, and its
// unpickler reserve()s whatever length a string opcode declares (fuzzing found a 2 GB request from
// a 30 KB file) and grows its memo table to whatever index a PUT names. No library validates a
// pickle's lengths without executing it, so this walks the opcodes and checks only sizes.
#include <string>
#include <vector>

namespace attnscope {

// Throws Error(Model) naming `path` unless every zip entry lies inside the file, is stored or
// deflated with sizes the file can justify, matches its CRC-32, and every pickle in it declares
// only lengths and memo indices its own bytes can back. Returns the text strings its pickles hold (a
// built-in model's metadata is one), so a reader without LibTorch can describe the file.
std::vector<std::string> checkTorchArchive(const std::string& path);

}  // namespace attnscope
