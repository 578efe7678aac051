#!/bin/bash
# How new the recorded held-out speakers' text is: of the sentences in WORK_DIR/real-test (what
# measure-builtin-model.sh scores), how many a trained speaker of CORPUS_DIR also read, and what
# share of their words occur in the trained speakers' transcripts.
#   scripts/real-speech-overlap.sh WORK_DIR [CORPUS_DIR]
# WORK_DIR is a training directory of `attnscope-train ... --real ...`; CORPUS_DIR defaults to
# ../shared/data/real-speech/speechocean762. Held-out speakers (real-dev and real-test) are left out.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: $0 WORK_DIR [CORPUS_DIR]}
corpus=${2:-$here/../shared/data/real-speech/speechocean762}
name=$(basename "$corpus")
held=$(cat "$work"/real-dev/voices.tsv "$work"/real-test/voices.tsv | cut -f2 | sed "s|^real:$name/||" | sort -u)
for f in "$work"/real-test/*.txt; do cat "$f"; echo; done |
    awk -v held="$held" -F'\t' '
        BEGIN { n = split(held, h, "\n"); for (i = 1; i <= n; i++) out[h[i]] = 1 }
        FNR == NR { if (!($2 in out)) { text = tolower($3); seen[text] = 1; m = split(text, w, " "); for (i = 1; i <= m; i++) known[w[i]] = 1 }; next }
        NF { sentences++; if ($0 in seen) repeated++; m = split($0, w, " "); for (i = 1; i <= m; i++) { words++; if (w[i] in known) hit++ } }
        END { printf "%d held-out sentences, %d read by a trained speaker; %d words, %.1f %% of them in trained transcripts\n",
                     sentences, repeated, words, 100 * hit / words }' "$corpus/transcripts.tsv" -
