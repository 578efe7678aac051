#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; CMake preset "fuzz" in build-fuzz/), writes their
# seed corpora and runs each target for a fixed time. Findings land in build-fuzz/artifacts/<target>/;
# each becomes a file in tests/fuzz/regressions/<target>/ once fixed (test_fuzz_regressions replays them).
#   scripts/fuzz.sh [SECONDS_PER_TARGET (600)] [TARGET ...]     targets: audio whisper_model builtin_model session
# FUZZ_JOBS=2 runs two targets at a time (one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(audio whisper_model builtin_model session)
jobs=${FUZZ_JOBS:-1}

command -v clang++ >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 2; }
cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target fuzz_seeds "${targets[@]/#/fuzz_}"

run_one() {
  local t=$1
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/artifacts/$t"
  local started=$SECONDS rc=0
  ASAN_OPTIONS="detect_leaks=1:detect_odr_violation=0" \
  LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len=2000000 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t/" \
      "build-fuzz/corpus/$t" "build-fuzz/tests/fuzz/seeds/$t" >"build-fuzz/fuzz-$t.log" 2>&1 || rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/fuzz-$t.log" | grep -o '[0-9]*$' || echo "?")
  local findings
  findings=$(find "build-fuzz/artifacts/$t" -type f | wc -l)
  echo "fuzz: $t: $((SECONDS - started)) s, $execs inputs, exit $rc, $findings finding(s), corpus $(ls "build-fuzz/corpus/$t" | wc -l) files (log build-fuzz/fuzz-$t.log)"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
