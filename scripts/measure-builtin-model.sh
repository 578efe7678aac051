#!/bin/bash
# The built-in model's results table (models/README.md, *Results*): every held-out condition scored
# with `attnscope-cli eval`, greedy and beam 5, and forced alignment where reference word times exist.
#   scripts/measure-builtin-model.sh WORK_DIR [MODEL] [OUT_DIR]
# WORK_DIR is a training directory of `attnscope-train ... --real ...`: its heldout/ (synthetic,
# held-out sentences x held-out voices) and real-test/ (recorded speakers never trained on, never used
# to choose anything). Utterances 0-99 of heldout/ chose the decoding weights and alignment heads, so
# only 100-299 are scored. Also scores ../shared/data/jfk.wav when ../shared is there. The degraded
# conditions are made with sox: brown noise at 10 dB SNR, and `reverb 50 50 100` for a far, live room.
# Prints one Markdown row per condition; OUT_DIR (default: a temporary directory) keeps the sets and
# every eval's JSON. CLI= picks another attnscope-cli, THREADS= its thread count (default: all cores).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(realpath "${1:?usage: $0 WORK_DIR [MODEL] [OUT_DIR]}")
model=${2:-builtin}
out=${3:-$(mktemp -d)}
cli=${CLI:-$here/build/app/attnscope-cli}
threads=${THREADS:-0}
[ -x "$cli" ] || { echo "$0: build first (bash scripts/build.sh)" >&2; exit 2; }
[ -d "$work/heldout" ] && [ -d "$work/real-test" ] || { echo "$0: $work lacks heldout/ or real-test/" >&2; exit 2; }
mkdir -p "$out"

# A set of links to the given stems of a directory, with their voices.
link_set() {  # SRC DEST STEM...
    local src=$1 dest=$2
    shift 2
    mkdir -p "$dest"
    : > "$dest/voices.tsv"
    for stem in "$@"; do
        for f in "$src/$stem".*; do ln -sf "$f" "$dest/"; done
        grep -P "^$stem\t" "$src/voices.tsv" >> "$dest/voices.tsv" || true
    done
}

# Each file of SRC through a sox effect chain into DEST, with the text, words and voices kept.
degrade_set() {  # SRC DEST KIND
    local src=$1 dest=$2 kind=$3
    mkdir -p "$dest"
    for wav in "$src"/*.wav; do
        local name
        name=$(basename "$wav" .wav)
        case $kind in
        noise)
            local seconds speech noise
            seconds=$(soxi -D "$wav")
            speech=$(sox "$wav" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }')
            sox -n -r 16000 -c 1 -b 16 "$dest/.noise.wav" synth "$seconds" brownnoise
            noise=$(sox "$dest/.noise.wav" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }')
            sox -V1 -m -v 1 "$wav" -v "$(awk -v s="$speech" -v n="$noise" 'BEGIN { print s / n / 10^(10 / 20) }')" \
                "$dest/.noise.wav" "$dest/$name.wav"
            ;;
        reverb) sox -V1 "$wav" "$dest/$name.wav" reverb 50 50 100 ;;
        esac
        cp "$src/$name.txt" "$dest/"
        [ -f "$src/$name.words" ] && cp "$src/$name.words" "$dest/"
    done
    rm -f "$dest/.noise.wav"
    cp "$src/voices.tsv" "$dest/" 2>/dev/null || true
}

# The padded set: 1 s of silence before and 1.5 s after, word times shifted by 1 s.
pad_set() {  # SRC DEST
    local src=$1 dest=$2
    mkdir -p "$dest"
    for wav in "$src"/*.wav; do
        local name
        name=$(basename "$wav" .wav)
        sox "$wav" "$dest/$name.wav" pad 1.0 1.5
        cp "$src/$name.txt" "$dest/"
        [ -f "$src/$name.words" ] && awk '{ printf "%s %.4f %.4f\n", $1, $2 + 1, $3 + 1 }' "$src/$name.words" > "$dest/$name.words"
    done
}

# Pairs of files joined with 1 s of silence between them: NNNNN.wav is utterance 2k, a pause, 2k+1.
join_set() {  # SRC DEST
    local src=$1 dest=$2
    mkdir -p "$dest"
    local files=("$src"/*.wav)
    for ((k = 0; k + 1 < ${#files[@]}; k += 2)); do
        local a=${files[k]%.wav} b=${files[k + 1]%.wav} name
        name=$(basename "$a")
        sox -V1 "$a.wav" -p pad 0 1.0 | sox -V1 - "$b.wav" "$dest/$name.wav"
        echo "$(cat "$a.txt") $(cat "$b.txt")" > "$dest/$name.txt"
        [ -f "$a.words" ] && [ -f "$b.words" ] || continue
        local shift
        shift=$(awk -v d="$(soxi -D "$a.wav")" 'BEGIN { print d + 1.0 }')
        { cat "$a.words"; awk -v s="$shift" '{ printf "%s %.4f %.4f\n", $1, $2 + s, $3 + s }' "$b.words"; } > "$dest/$name.words"
    done
}

# A top-level field of an eval's JSON (by_voice's objects, which hold the same names, left out).
field() { sed -E 's/"by_voice":\{("[^"]*":\{[^}]*\},?)*\},?//' | grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2; }
percent() { awk -v x="$1" 'BEGIN { if (x == "null" || x == "") print "–"; else printf "%.1f %%", 100 * x }'; }
ms() { awk -v x="$1" 'BEGIN { if (x == "null" || x == "") print "–"; else printf "%.0f ms", x }'; }

score() {  # TAG NAME DIR FORCED (yes, no, or the directory with word times to align instead)
    local tag=$1 name=$2 dir=$3 forced=$4
    "$cli" eval "$dir" --json --threads "$threads" --model "$model" > "$out/$tag.greedy.json"
    "$cli" eval "$dir" --json --beam 5 --threads "$threads" --model "$model" > "$out/$tag.beam5.json"
    local boundary="–"
    if [ "$forced" != no ]; then
        [ "$forced" = yes ] && forced=$dir
        "$cli" eval "$forced" --json --forced --threads "$threads" --model "$model" > "$out/$tag.forced.json"
        boundary="$(ms "$(field boundary_error_ms < "$out/$tag.forced.json")") / $(ms "$(field boundary_error_median_ms < "$out/$tag.forced.json")")"
    fi
    printf '| %s | %s | %s / %s | %s / %s | %s |\n' "$name" "$(field utterances < "$out/$tag.beam5.json")" \
        "$(percent "$(field cer < "$out/$tag.greedy.json")")" "$(percent "$(field cer < "$out/$tag.beam5.json")")" \
        "$(percent "$(field wer < "$out/$tag.greedy.json")")" "$(percent "$(field wer < "$out/$tag.beam5.json")")" "$boundary"
}

stems() { seq -f '%05g' "$1" "$2"; }
link_set "$work/heldout" "$out/synthetic" $(stems 100 299)
link_set "$work/heldout" "$out/synthetic-60" $(stems 100 159)
pad_set "$out/synthetic-60" "$out/synthetic-padded"
join_set "$out/synthetic-60" "$out/synthetic-joined"
degrade_set "$out/synthetic" "$out/synthetic-noise" noise
degrade_set "$out/synthetic" "$out/synthetic-reverb" reverb
degrade_set "$work/real-test" "$out/real-noise" noise
degrade_set "$work/real-test" "$out/real-reverb" reverb

echo "| held-out set | utterances | CER greedy / beam 5 | WER greedy / beam 5 | forced-alignment boundary error, mean / median |"
echo "|---|---|---|---|---|"
score synthetic "synthetic, held-out voices" "$out/synthetic" yes
score synthetic-padded "synthetic, 1 s silence before, 1.5 s after" "$out/synthetic-padded" yes
score synthetic-joined "synthetic, two utterances with 1 s of silence between" "$out/synthetic-joined" yes
score synthetic-noise "synthetic, brown noise 10 dB SNR" "$out/synthetic-noise" yes
score synthetic-reverb "synthetic, reverberant room" "$out/synthetic-reverb" yes
if [ -x "$(command -v pocketsphinx_continuous)" ]; then
    bash "$here/scripts/pocketsphinx-word-times.sh" "$work/real-test" "$out/real-test" > /dev/null
    score recorded "recorded, held-out speakers (word times: pocketsphinx)" "$work/real-test" "$out/real-test"
else
    score recorded "recorded, held-out speakers" "$work/real-test" no
fi
score recorded-noise "recorded, brown noise 10 dB SNR" "$out/real-noise" no
score recorded-reverb "recorded, reverberant room" "$out/real-reverb" no
shared="$here/../shared/data"
if [ -f "$shared/jfk.wav" ]; then
    mkdir -p "$out/jfk"
    ln -sf "$shared/jfk.wav" "$out/jfk/jfk.wav"
    ln -sf "$shared/jfk.txt" "$out/jfk/jfk.txt"
    score jfk "jfk.wav (native, public address)" "$out/jfk" no
fi
# How exact the recorded speech's reference is: pocketsphinx against the synthesizers' own word times,
# in one utterance and in two joined by a pause.
if [ -x "$(command -v pocketsphinx_continuous)" ]; then
    echo
    for tag in synthetic synthetic-joined; do
        files=$(bash "$here/scripts/pocketsphinx-word-times.sh" "$out/$tag" "$out/$tag-ps" | sed 's/^[^:]*: //')
        echo "pocketsphinx against the true word times, $tag: $(bash "$here/scripts/compare-word-times.sh" "$out/$tag" "$out/$tag-ps"); $files"
    done
fi
# Word times with and without the pause rules (--attention-word-times): boundary error and the share
# of words that start inside a reference pause, decoding greedily and forced.
pauses() {  # TAG NAME
    local tag=$1 name=$2 dir=$out/$1
    for mode in "" --forced; do
        "$cli" eval "$dir" --json $mode --threads "$threads" --model "$model" --attention-word-times > "$out/$tag$mode.raw.json"
    done
    local g=$out/$tag.greedy.json f=$out/$tag.forced.json gr=$out/$tag.raw.json fr=$out/$tag--forced.raw.json
    printf '| %s | %s / %s | %s / %s | %s / %s | %s / %s |\n' "$name" \
        "$(ms "$(field boundary_error_ms < "$gr")")" "$(ms "$(field boundary_error_ms < "$g")")" \
        "$(percent "$(field words_starting_in_pauses < "$gr")")" "$(percent "$(field words_starting_in_pauses < "$g")")" \
        "$(ms "$(field boundary_error_ms < "$fr")")" "$(ms "$(field boundary_error_ms < "$f")")" \
        "$(percent "$(field words_starting_in_pauses < "$fr")")" "$(percent "$(field words_starting_in_pauses < "$f")")"
}
echo
echo "| word times: attention alone / with the pause rules | greedy boundary error | greedy words starting in a pause | forced boundary error | forced words starting in a pause |"
echo "|---|---|---|---|---|"
pauses synthetic-padded "1 s silence before, 1.5 s after"
pauses synthetic-joined "two utterances, 1 s of silence between"

# Voice by voice (speaker by speaker for the recordings), from the evals' by_voice objects.
voices() {  # TAG
    paste <(grep -o '"[^"]*":{"cer":[^,]*,"utterances":[0-9]*,"wer":[^}]*}' "$out/$1.greedy.json") \
          <(grep -o '"[^"]*":{"cer":[^,]*,"utterances":[0-9]*,"wer":[^}]*}' "$out/$1.beam5.json") |
        sed 's/[{}"]//g; s/:cer:/ /g; s/,utterances:/ /g; s/,wer:/ /g' |
        awk '{ printf "| %s | %d | %.1f / %.1f %% | %.1f / %.1f %% |\n", $1, $3, 100 * $2, 100 * $6, 100 * $4, 100 * $8 }'
}
echo
echo "| voice or speaker | utterances | CER greedy / beam 5 | WER greedy / beam 5 |"
echo "|---|---|---|---|"
voices synthetic
voices recorded
echo "sets and JSON: $out" >&2
