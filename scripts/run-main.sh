#!/usr/bin/env bash
# The main job on a fresh machine: install, build, then transcribe a sample.
# The sample is spoken by espeak-ng and transcribed by the built-in model (models/builtin.pt). With a
# display the desktop application opens on it; without one the CLI writes JSON, SRT and a heatmap.
# MODEL=/path/to/ggml-tiny.en.bin uses a whisper.cpp checkpoint instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p build/sample
espeak-ng -v en-us -w build/sample/sample.wav "AttnScope shows what a speech recognizer listens to, one token at a time."
model="${MODEL:-builtin}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  exec build/app/attnscope --model "$model" build/sample/sample.wav
fi
build/app/attnscope-cli transcribe build/sample/sample.wav --model "$model" \
  --json build/sample/sample.json --srt build/sample/sample.srt --heatmap build/sample/sample-heatmap.png
echo "wrote build/sample/sample.json, sample.srt and sample-heatmap.png"
