#pragma once
// Writing an export without ever losing a good file: for a regular file the content goes to a
// temporary beside it and replaces the target only once fully written, so a full disk leaves the old
// file intact and no half-written one. Devices, pipes and "-" are written directly.
#include <functional>
#include <ostream>
#include <string>

namespace attnscope {

// Throws Error(Io) naming the path when anything fails.
void writeFileSafely(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace attnscope
