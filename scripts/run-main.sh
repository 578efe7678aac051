#!/usr/bin/env bash
# The main job on a fresh machine: install, build, then transcribe a sample.
# Until the built-in model ships (issue 3), the sample is transcribed with a Whisper tiny.en-shaped
# model with seeded random weights (the text is gibberish; the pipeline, attention and timings are real).
# Pass MODEL=/path/to/ggml-tiny.en.bin to use a real whisper.cpp checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p build/sample
espeak-ng -v en-us -w build/sample/sample.wav "AttnScope shows what a speech recognizer listens to, one token at a time."
model="${MODEL:-}"
if [ -z "$model" ]; then
  model=build/sample/ggml-tiny.en.bin
  header=../shared/data/whisper-vocab/for-tests-ggml-tiny.en.bin
  if [ -f "$header" ]; then
    build/app/attnscope-cli make-test-model "$model" --shape tiny.en --header-from "$header"
  else
    build/app/attnscope-cli make-test-model "$model" --shape tiny.en
  fi
fi
build/app/attnscope-cli transcribe build/sample/sample.wav --model "$model" \
  --json build/sample/sample.json --srt build/sample/sample.srt --heatmap build/sample/sample-heatmap.png
echo "wrote build/sample/sample.json, sample.srt and sample-heatmap.png"
