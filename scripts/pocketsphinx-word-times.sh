#!/bin/bash
# Reference word times for recorded speech, which comes without them: pocketsphinx (Debian's
# pocketsphinx and pocketsphinx-en-us, an HMM recognizer independent of AttnScope) force-aligns each
# NAME.txt to its NAME.wav with a one-sentence JSGF grammar. Writes OUT/NAME.words ("word start end")
# beside links to the audio, the text and voices.tsv, the layout `attnscope-cli eval --forced` reads.
# Files whose words are not in pocketsphinx's dictionary, or that it cannot align, are left out.
# pocketsphinx_continuous's voice activity detection is off (-remove_silence no): with it, a pause of
# half a second ends the utterance, and the grammar's sentence is forced into the speech on one side
# of the pause, or the file fails to align.
# Its beams are opened far past the defaults: with one sentence to align there is little to search,
# and the default pruning lost the true path in slow or hesitant readings, which then put a word a
# second away from its sound or failed to align. Only each word's first pronunciation is offered
# (-fsgusealtpron no): an alternative that begins with HH ("what" as HH W AH T) absorbed the silence
# before the first word, which then started at 0.
# It reads 16-bit mono 16 kHz audio only, so each file is converted with sox first.
#   scripts/pocketsphinx-word-times.sh IN_DIR OUT_DIR
set -euo pipefail
in=$(realpath "${1:?usage: $0 IN_DIR OUT_DIR}")
out=${2:?usage: $0 IN_DIR OUT_DIR}
model=/usr/share/pocketsphinx/model/en-us
command -v pocketsphinx_continuous >/dev/null || { echo "$0: needs Debian's pocketsphinx and pocketsphinx-en-us" >&2; exit 2; }
mkdir -p "$out"
grammar=$(mktemp --suffix=.jsgf)
audio=$(mktemp --suffix=.wav)
trap 'rm -f "$grammar" "$audio"' EXIT
aligned=0 skipped=0
for txt in "$in"/*.txt; do
    name=$(basename "$txt" .txt)
    wav="$in/$name.wav"
    [ -f "$wav" ] || continue
    text=$(tr -s ' \n' ' ' < "$txt" | sed 's/^ //; s/ $//')
    printf '#JSGF V1.0;\ngrammar one;\npublic <s> = %s;\n' "$text" > "$grammar"
    sox -V1 "$wav" -b 16 -c 1 -r 16000 "$audio"
    words=$(pocketsphinx_continuous -infile "$audio" -jsgf "$grammar" -time yes -hmm "$model/en-us" \
                -dict "$model/cmudict-en-us.dict" -remove_silence no \
                -beam 1e-150 -pbeam 1e-150 -wbeam 1e-120 -lpbeam 1e-120 -lponlybeam 1e-120 -fsgusealtpron no \
                -logfn /dev/null 2>/dev/null |
            awk 'NF == 4 && $2 ~ /^[0-9.]+$/ && $3 ~ /^[0-9.]+$/ && $1 !~ /^(<s>|<\/s>|<sil>|\[.*\])$/ { sub(/\([0-9]+\)$/, "", $1); print $1, $2, $3 }' || true)
    if [ -z "$words" ] || [ "$(printf '%s\n' "$words" | wc -l)" -ne "$(wc -w <<< "$text")" ]; then
        skipped=$((skipped + 1))
        continue
    fi
    printf '%s\n' "$words" > "$out/$name.words"
    ln -sf "$wav" "$out/$name.wav"
    ln -sf "$txt" "$out/$name.txt"
    aligned=$((aligned + 1))
done
[ -f "$in/voices.tsv" ] && ln -sf "$in/voices.tsv" "$out/voices.tsv"
echo "$out: $aligned files aligned, $skipped left out"
