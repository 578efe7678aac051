#pragma once
// librosa.filters.mel(sr, n_fft, n_mels) with its defaults (Slaney mel scale, Slaney area
// normalisation): the filter bank Whisper ships in its checkpoints, computed for models that ship none
// (the built-in model).
#include <torch/torch.h>

namespace attnscope {

// Slaney's mel scale: linear below 1 kHz, logarithmic above.
double slaneyHzToMel(double hz);
double slaneyMelToHz(double mel);

// [n_mels, 1 + nFft / 2], float32.
torch::Tensor melFilterBank(int sampleRate, int nFft, int nMels);

}  // namespace attnscope
