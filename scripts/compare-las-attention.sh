#!/bin/bash
# Trains one listen-attend-spell model per attention function on the same synthesized data, for the same
# budget, and prints each one's word-boundary error from forced alignment (models/README.md).
# usage: scripts/compare-las-attention.sh SYNTH_WORK_DIR EVAL_DIR [MINUTES] [BUILD_DIR]
#   SYNTH_WORK_DIR: a trainer work directory whose train.set, dev.set and heldout/ are reused
#   EVAL_DIR: held-out audio with .txt and .words files (e.g. some of SYNTH_WORK_DIR/heldout)
set -euo pipefail
synth=$(realpath "$1"); evaldir=$2; minutes=${3:-8}; build=${4:-build}
for f in dot scaled-dot additive location; do
  d=$synth-las-$f
  mkdir -p "$d"
  for x in train.set dev.set heldout; do ln -sfn "$synth/$x" "$d/$x"; done
  OMP_WAIT_POLICY=PASSIVE "$build/app/attnscope-train" --work-dir "$d" --architecture las --attention "$f" \
    --encoder-layers 3 --decoder-layers 1 --minutes "$minutes" --batch-frames 12000 --warmup 100 \
    --eval-every 100 --seed 1 > "$d/train.log" 2>&1
  "$build/app/attnscope-train" export --work-dir "$d" --out "$d/model.pt" >> "$d/train.log"
  echo "$f: $(grep '^step' "$d/train.log" | tail -1 | sed 's/ lr .*//') | forced:" \
       "$("$build/app/attnscope-cli" eval "$evaldir" --model "$d/model.pt" --forced --json)"
done
