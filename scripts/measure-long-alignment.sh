#!/bin/bash
# Forced alignment of long audio in one call (docs/benchmarks.md, *Long forced alignment*): held-out
# utterances joined end to end into one file of at least MIN_SECONDS, their texts into one text and
# their .words files shifted by each utterance's offset; `attnscope-cli eval --forced` then scores the
# word boundaries of the whole file against them.
#   scripts/measure-long-alignment.sh HELDOUT_DIR [MODEL] [MIN_SECONDS] [OUT_DIR]
# HELDOUT_DIR holds NAME.wav, NAME.txt and NAME.words (a training directory's heldout/). Utterances
# 100 on are used (0-99 chose the decoding weights and alignment heads). MODEL defaults to the
# built-in model, MIN_SECONDS to 180. CLI= picks another attnscope-cli, THREADS= its thread count.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=$(realpath "${1:?usage: $0 HELDOUT_DIR [MODEL] [MIN_SECONDS] [OUT_DIR]}")
model=${2:-builtin}
min_seconds=${3:-180}
out=${4:-$(mktemp -d)}
cli=${CLI:-$here/build/app/attnscope-cli}
threads=${THREADS:-0}
[ -x "$cli" ] || { echo "$0: build first (bash scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out/long"
parts=()
offset=0
: > "$out/long/joined.words"
: > "$out/long/joined.txt"
for wav in $(ls "$src"/*.wav | sort | tail -n +101); do
    stem=${wav%.wav}
    [ -f "$stem.words" ] && [ -f "$stem.txt" ] || continue
    awk -v o="$offset" '{ printf "%s %.5f %.5f\n", $1, $2 + o, $3 + o }' "$stem.words" >> "$out/long/joined.words"
    printf '%s ' "$(cat "$stem.txt")" >> "$out/long/joined.txt"
    parts+=("$wav")
    offset=$(awk -v o="$offset" -v d="$(soxi -D "$wav")" 'BEGIN { printf "%.5f", o + d }')
    awk -v o="$offset" -v m="$min_seconds" 'BEGIN { exit !(o >= m) }' && break
done
sox "${parts[@]}" "$out/long/joined.wav"
echo "${#parts[@]} utterances, $offset s" >&2
/usr/bin/time -f "%e s, %M KB peak" "$cli" eval --forced --threads "$threads" --model "$model" --json "$out/long" \
    > "$out/eval.json"
jq -r '"boundary error \(.boundary_error_ms) ms"' "$out/eval.json" 2>/dev/null ||
    cat "$out/eval.json"
