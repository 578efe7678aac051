#pragma once
// Vocal tract length perturbation (Jaitly & Hinton, 2013) on cached log-mel features: the spectrum is
// stretched or squeezed along frequency as if the speaker's vocal tract were shorter or longer, which
// moves the formants without touching the timing. The synthetic training set has only four flite
// voices and espeak-ng's formant variants; warping the features at batch time gives every cached
// utterance new speakers without synthesizing again.
#include <torch/torch.h>

namespace attnscope {

// The frequency VTLP's piecewise-linear warp maps onto `warpedHz`: f / alpha below the boundary,
// then linear so that the Nyquist frequency stays where it is (boundary: 4.8 kHz at 16 kHz
// sampling, the paper's choice, scaled with the sampling rate).
double vtlpSourceHz(double warpedHz, double alpha, double nyquistHz);

// logMel [n_mels, frames] on the Slaney mel scale the built-in model uses (dsp/MelFilterBank.h):
// each band takes the (linearly interpolated) value of the band at its source frequency. alpha > 1
// moves energy up in frequency (a shorter vocal tract), alpha < 1 down; alpha == 1 is the identity.
torch::Tensor warpVocalTract(const torch::Tensor& logMel, double alpha, int sampleRate = 16000);

}  // namespace attnscope
