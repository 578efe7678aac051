#!/bin/bash
# A set that reads like a speaker who pauses after every word or two: each recording of SRC_DIR with
# word times (NAME.wav, NAME.txt, NAME.words as `word start end`) is cut between words, after one or
# two words at random, and a pause of 0.5-1.0 s of the recording's own room tone (the stretch before
# its first word, looped; silence where there is none) goes into each cut. Deterministic (seed 7).
# models/README.md, *Decoding*, scores the built-in model's windows on it.
#   scripts/make-paused-reading-set.sh SRC_DIR OUT_DIR
set -euo pipefail
src=$(realpath "${1:?usage: $0 SRC_DIR OUT_DIR}")
out=${2:?usage: $0 SRC_DIR OUT_DIR}
command -v sox >/dev/null || { echo "$0: needs sox (bash scripts/install-deps.sh)" >&2; exit 2; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed=7
made=0
for words in "$src"/*.words; do
    name=$(basename "$words" .words)
    wav="$src/$name.wav"
    if [ ! -f "$wav" ] || [ ! -f "$src/$name.txt" ]; then continue; fi
    [ "$(grep -c . "$words")" -ge 3 ] || continue
    seed=$((seed + 1))
    # Cut points (the middle between two words) and pause lengths, one "cut pause" line each.
    awk -v seed="$seed" 'BEGIN { srand(seed); next_cut = 1 + int(rand() * 2) }
        NF >= 3 { n++; start[n] = $2; end[n] = $3 }
        END { for (k = next_cut; k < n; k += 1 + int(rand() * 2))
                  printf "%.3f %.3f\n", (end[k] + start[k + 1]) / 2, 0.5 + rand() * 0.5 }' "$words" > "$tmp/cuts"
    first=$(awk 'NF >= 3 { print $2; exit }' "$words")
    sox "$wav" -r 16000 -c 1 -b 16 "$tmp/in.wav"
    if awk -v f="$first" 'BEGIN { exit !(f >= 0.15) }'; then
        sox "$tmp/in.wav" "$tmp/room.wav" trim 0 "$(awk -v f="$first" 'BEGIN { printf "%.3f", f - 0.05 }')"
    else
        sox -n -r 16000 -c 1 -b 16 "$tmp/room.wav" trim 0 0.1
    fi
    pieces=()
    from=0
    i=0
    while read -r cut pause; do
        sox "$tmp/in.wav" "$tmp/p$i.wav" trim "$from" "=$cut"
        sox "$tmp/room.wav" "$tmp/q$i.wav" repeat 20 trim 0 "$pause"
        pieces+=("$tmp/p$i.wav" "$tmp/q$i.wav")
        from=$cut
        i=$((i + 1))
    done < "$tmp/cuts"
    sox "$tmp/in.wav" "$tmp/last.wav" trim "$from"
    sox "${pieces[@]}" "$tmp/last.wav" "$out/$name.wav"
    cp "$src/$name.txt" "$out/"
    made=$((made + 1))
    rm -f "$tmp"/p*.wav "$tmp"/q*.wav
done
echo "$made files in $out"
[ "$made" -gt 0 ] || { echo "$0: no NAME.wav with NAME.txt and NAME.words (3 words or more) in $src" >&2; exit 1; }
