#pragma once
// What each fuzz target feeds its bytes to: the loaders a user's files reach (audio decoder, Whisper
// ggml loader, built-in model loader, session reader). Shared by the libFuzzer targets and by
// test_fuzz_regressions, which replays every input that once crashed. Each writes the bytes to a file
// (the loaders take paths, as the program does) and accepts only attnscope::Error as a way to fail.
#include <cstddef>
#include <cstdint>

namespace attnscope::fuzz {

void loadAudio(const uint8_t* data, size_t size);
void loadWhisperModel(const uint8_t* data, size_t size);
void loadBuiltinModel(const uint8_t* data, size_t size);
void loadSessionFile(const uint8_t* data, size_t size);

}  // namespace attnscope::fuzz
