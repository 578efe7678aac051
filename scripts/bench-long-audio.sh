#!/usr/bin/env bash
# Long-audio memory benchmark: transcribes about MINUTES minutes of speech synthesized with
# espeak-ng from fortune-mod's English text, keeping every window's attention, and prints peak RSS.
# Runs the built-in model, and Whisper tiny.en shapes (seeded random weights, real header and
# vocabulary) when ../shared is there. The random weights (seed 2, output scale 4) make it decode the
# full 224 tokens of every 30 s window, more than real speech gives (~100): its figure is the worst case.
#
#   scripts/bench-long-audio.sh [BUILD_DIR] [MINUTES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
minutes=${2:-60}
cli=$build/app/attnscope-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# espeak-ng at 170 words per minute speaks about 184 of these words per minute (pauses are short).
cat /usr/share/games/fortunes/{fortunes,literature,science,people,wisdom} | grep -v '^%' | tr -s ' \t\n' ' ' |
    awk -v n=$((minutes * 184)) '{ for (i = 1; i <= NF && i <= n; ++i) printf "%s ", $i }' > "$work/text.txt"
espeak-ng -s 170 -f "$work/text.txt" -w "$work/long.wav"

models=(builtin)
vocab=$root/../shared/data/whisper-vocab/for-tests-ggml-tiny.en.bin
if [[ -f $vocab ]]; then
    "$cli" make-test-model "$work/tiny.en.bin" --shape tiny.en --header-from "$vocab" --seed 2 --output-scale 4 > /dev/null
    models+=("$work/tiny.en.bin")
else
    echo "note: $vocab not found; Whisper tiny.en shapes skipped" >&2
fi

printf '| model | audio | tokens | windows | attention kept | wall | peak RSS |\n|---|---|---|---|---|---|---|\n'
for model in "${models[@]}"; do
    /usr/bin/time -f '%M %e' -o "$work/time" "$cli" transcribe "$work/long.wav" --model "$model" > /dev/null 2> "$work/log"
    # "[name, A s of audio in B s, Cx real time; T tokens, attention of W windows kept: M MB]"
    summary=$(grep -o '\[.*MB\]' "$work/log" | tail -1)
    read -r rssKb wall < "$work/time"
    name=$(sed -E 's/^\[([^,]*),.*/\1/' <<< "$summary")
    audio=$(sed -E 's/.*, ([0-9.]+) s of audio.*/\1/' <<< "$summary")
    tokens=$(sed -E 's/.*; ([0-9]+) tokens.*/\1/' <<< "$summary")
    windows=$(sed -E 's/.*attention of ([0-9]+) windows.*/\1/' <<< "$summary")
    kept=$(sed -E 's/.*kept: ([0-9.]+) MB.*/\1/' <<< "$summary")
    printf '| %s | %.1f min | %s | %s | %s MB | %s s | %d MB |\n' "$name" "$(awk -v a="$audio" 'BEGIN { print a / 60 }')" "$tokens" "$windows" \
        "$kept" "$wall" $((rssKb / 1024))
done
