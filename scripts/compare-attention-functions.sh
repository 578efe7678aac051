#!/bin/bash
# The teaching lab's comparison (models/README.md, "Training histories"): one small model per attention
# function (the Transformer's scaled dot-product heads, and LAS with dot, scaled-dot, additive and
# location-aware attention), trained from scratch on the same synthesized digit strings for the same
# number of optimizer steps on two threads (a budget in steps holds even when the machine is shared).
# Each run's training history goes to OUT/NAME.cbor (models/learn/ ships them); then one table row per
# function from its last snapshot. The Transformer warms its learning rate up over 1,000 steps, the
# LSTM spellers over 100: with 100 the Transformer's rate has decayed before its heads separate the
# digits, and it does not decode within the budget (models/README.md, "Training histories").
# A run resumes from its checkpoint in WORK_DIR/NAME; KINDS="transformer las-dot" trains only those
# (the table still reads every kind's log in WORK_DIR).
# usage: [KINDS=...] scripts/compare-attention-functions.sh WORK_DIR OUT_DIR [STEPS] [BUILD_DIR]
set -euo pipefail
work=$(realpath -m "$1"); out=$2; steps=${3:-3000}; build=${4:-build}
mkdir -p "$work" "$out"
common=(--corpus digits --utterances 2000 --dev-utterances 100 --steps "$steps" --minutes 120 --batch-frames 6000
        --d-model 96 --encoder-layers 2 --decoder-layers 1 --ff-dim 384 --threads 2
        --eval-every 1000000 --keep-snapshots 0 --seed 1)
# The speech first (a run with no minutes only synthesizes), so that no run spends its budget on it
# and all five train on the same utterances.
"$build/app/attnscope-train" --work-dir "$work/speech" "${common[@]}" --minutes 0 > "$work/speech.log" 2>&1
all=(transformer las-dot las-scaled-dot las-additive las-location)
read -r -a kinds <<< "${KINDS:-${all[*]}}"
for kind in "${kinds[@]}"; do
  d=$work/$kind
  mkdir -p "$d"
  for x in train.set dev.set heldout; do ln -sfn "$work/speech/$x" "$d/$x"; done
  if [ "$kind" = transformer ]; then arch=(--architecture transformer --heads 2 --warmup 1000)
  else arch=(--architecture las --attention "${kind#las-}" --warmup 100); fi
  OMP_WAIT_POLICY=PASSIVE "$build/app/attnscope-train" --work-dir "$d" "${common[@]}" "${arch[@]}" > "$d/train.log" 2>&1
  cp "$d/history.cbor" "$out/$kind.cbor"
done
# Steps and dev CER (all 100 held-out strings) from the run's last line; the rest from the last
# snapshot's probe (held-out string 0).
echo "| attention | steps | minutes | dev CER | boundary error | entropy (nats) | diagonal mass | the probe heard |"
echo "|---|---|---|---|---|---|---|---|"
for kind in "${all[@]}"; do
  last=$(grep '^stopped at step' "$work/$kind/train.log")
  steps=$(sed 's/stopped at step \([0-9]*\).*/\1/' <<< "$last"); cer=$(sed 's/.*dev CER \([0-9.]*\)%.*/\1/' <<< "$last")
  "$build/app/attnscope-cli" history "$out/$kind.cbor" --csv - | tail -1 |
    awk -F, -v k="$kind" -v s="$steps" -v c="$cer" \
      '{ t = substr($0, index($0, "\"")); printf "| %s | %d | %.1f | %s %% | %.0f ms | %.2f | %.2f | %s |\n", k, s, $2, c, $10, $8, $9, t }'
done
