#!/bin/bash
# How far two sets of word times disagree: the mean of |start| and |end| differences, in ms, over the
# files present in both directories with the same words (NAME.words: "word start end" per line).
# Used to measure the pocketsphinx reference against the synthesizers' own word times.
#   scripts/compare-word-times.sh DIR_A DIR_B
set -euo pipefail
a=${1:?usage: $0 DIR_A DIR_B}
b=${2:?usage: $0 DIR_A DIR_B}
for f in "$a"/*.words; do
    g="$b/$(basename "$f")"
    [ -f "$g" ] || continue
    paste -d ' ' "$f" "$g"
done | awk 'NF == 6 && $1 == $4 { sum += ($2 > $5 ? $2 - $5 : $5 - $2) + ($3 > $6 ? $3 - $6 : $6 - $3); n += 2 }
            NF == 6 && $1 != $4 { other++ }
            END { if (n == 0) { print "no shared words"; exit 1 }
                  printf "%.1f ms mean boundary difference over %d words (%d word pairs differ)\n", 1000 * sum / n, n / 2, other }'
