#pragma once
// One exception type for everything the engine reports to a user. The kind decides the CLI's exit
// code and the GUI's dialog title; the message is one line that names the file and the reason.
#include <atomic>
#include <stdexcept>
#include <string>

namespace attnscope {

enum class ErrorKind { Usage, Audio, Model, Io, Cancelled };

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

// Throws Error(Cancelled) once `cancel` (may be null) is set: the engines call it between steps.
void throwIfCancelled(const std::atomic<bool>* cancel);

// Exit codes of attnscope-cli: 0 success, 2 usage, 3 bad audio, 4 bad model, 5 I/O, 130 cancelled.
int exitCodeFor(ErrorKind kind);

}  // namespace attnscope
