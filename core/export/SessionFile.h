#pragma once
// A saved analysis: which audio, the transcript with every cross-attention weight, and the model that
// made it, so reopening it needs no model run. Stored as CBOR (nlohmann-json's binary JSON): the
// attention matrices go in as raw little-endian float32 blobs instead of millions of JSON numbers.
#include "transcript/Transcript.h"

#include <string>

namespace attnscope {

struct Session {
    std::string audioPath;  // absolute; reopened from disk, never copied into the session
    Transcript transcript;
};

void saveSession(const Session& session, const std::string& path);  // throws Error(Io)

// Throws Error(Io) for an unreadable file and Error(Usage) for one that is not a valid session
// (wrong format, inconsistent sizes): never trusts a size it has not checked against the data.
Session loadSession(const std::string& path);

}  // namespace attnscope
