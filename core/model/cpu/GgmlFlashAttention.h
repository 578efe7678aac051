#pragma once
// Attention with whisper.cpp's CPU arithmetic (ggml's flash attention over f16 keys and values), for
// transcripts that agree with whisper-cli token for token (docs/whisper-parity.md). It differs from the
// exact softmax(Q K^T / sqrt(d)) V in ways that move a token's probability by up to ~30 % on the
// random-weight parity models:
// - keys and values are f16;
// - the encoder's keys and the cross-attention's are padded with zero rows to a multiple of 256, and
//   those rows take part (a score of 0, a value of 0);
// - fewer than 64 queries at once (every decoder step) take ggml's one-query kernel: the query is
//   rounded to f16 and the online softmax keeps its running weighted sum of values in f16, so that
//   small contributions are lost to rounding;
// - a single query against 512 keys or more has its keys split into as many equal parts as whisper.cpp
//   has threads, each summed on its own and the parts combined in f32.
// 64 queries or more (the encoder's window, a long prompt) take ggml's tiled kernel, which sums in f32.
// Exact attention is the default everywhere; this is only what WhisperOptions::whisperCppThreads asks for.
#include <torch/torch.h>

#include <cstdint>

namespace attnscope {

// Whisper pads its audio keys to a multiple of this (GGML_PAD(n_audio_ctx, 256) in whisper.cpp), and
// its self-attention cache too, whose padding is masked instead.
constexpr int64_t kGgmlKeyPadding = 256;

struct GgmlKeys {
    int64_t count = 0;         // real keys
    int64_t span = 0;          // ggml's key count: `count` with its padding
    bool zeroPadding = false;  // keys count..span are zero rows that take part (else they are masked)
    int parts = 1;             // equal parts of `span`, each accumulated on its own
    bool tiled = false;        // the tiled kernel: the query as it is and f32 sums
};

// How ggml runs `rows` queries of one sequence against `span` keys on `threads` threads.
GgmlKeys ggmlKeyLayout(int64_t rows, int64_t count, int64_t span, bool zeroPadding, int threads);

// out[0..dh) for one query against `keys.count` rows of keys and values ([count, dh], float32 holding
// values already rounded to f16, or f16). `scale` multiplies q . k. dh must be a multiple of 8, and the
// CPU must have AVX2, FMA and F16C (DecoderStep::supported()).
void ggmlFlashAttention(const float* q, const float* keys, const float* values, const GgmlKeys& layout, int64_t dh,
                        float scale, float* out);
void ggmlFlashAttention(const float* q, const uint16_t* keys, const uint16_t* values, const GgmlKeys& layout,
                        int64_t dh, float scale, float* out);

// Rounds each value to the nearest f16 (ties to even), in place.
void roundToHalf(float* values, int64_t n);

}  // namespace attnscope
