#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with libFuzzer (clang 14, ASan+UBSan):
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60), exploring: new inputs
#                                 are kept in build-fuzz/corpus/<target>/ for the next run
#   scripts/fuzz.sh --runs N      each target replays its seeds, then N mutations from a fixed
#                                 seed and a fresh work corpus: the same binary gives the same
#                                 run every time (the test command uses this). Address-space
#                                 randomisation is off for these runs (setarch -R) and the
#                                 corpus is not reloaded: libFuzzer mutates with values its
#                                 comparisons saw, pointers among them.
# Builds the targets of fuzz/ into build-fuzz/, runs each from its seeds (fuzz/corpus/<target>/,
# which also holds every input that once found a problem) and prints libFuzzer's final lines. Exits
# non-zero when any target found a crash, a leak, a timeout or an out-of-memory; the input
# is then in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
fixed_layout=()
if [[ ${1:-} == --runs ]]; then
  budget=(-runs="${2:?--runs needs a count}" -seed=1 -reload=0)
  fresh_work=1
  if setarch -R true 2>/dev/null; then fixed_layout=(setarch -R); fi
else
  budget=(-max_total_time="${1:-60}")
  fresh_work=0
fi

if ! command -v clang++-14 >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "== installing clang 14 and its runtime (libFuzzer)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-14 libclang-rt-14-dev >/dev/null
fi

# One target per seed directory.
targets=()
for corpus in fuzz/corpus/*/; do targets+=("fuzz_$(basename "$corpus")"); done

echo "== build (clang 14, libFuzzer, ASan+UBSan) into build-fuzz"
scripts/build.sh build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DBATCHWIRE_BUILD_FUZZ=ON \
  -DBATCHWIRE_BUILD_TESTS=OFF -DBATCHWIRE_BUILD_TOOLS=OFF -DBATCHWIRE_BUILD_EXAMPLES=OFF \
  -DBATCHWIRE_BUILD_BENCH=OFF -DBATCHWIRE_INSTALL=OFF -DBATCHWIRE_SANITIZE=address,undefined -DBATCHWIRE_WERROR=ON \
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS=-Wno-unknown-warning-option -- "${targets[@]}"

dict_of() {
  case $1 in
    response_headers|http_response|emulator_request|client_config) echo fuzz/dict/http.dict ;;
    emulator_multipart) echo fuzz/dict/multipart.dict ;;
    webhook) echo fuzz/dict/webhook.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1
failed=()
mkdir -p build-fuzz/artifacts
for corpus in fuzz/corpus/*/; do
  name=$(basename "$corpus")
  work=build-fuzz/corpus/$name
  if ((fresh_work)); then work=build-fuzz/fresh-corpus/$name; rm -rf "$work"; fi
  mkdir -p "$work"
  log=build-fuzz/$name.log
  echo "== fuzz_$name ${budget[*]}"
  # -timeout: one input may take at most 10 s; -rss_limit_mb also caps any single malloc.
  if nice "${fixed_layout[@]}" build-fuzz/fuzz/fuzz_"$name" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
       -dict="$(dict_of "$name")" -artifact_prefix=build-fuzz/artifacts/"$name"- -print_final_stats=1 \
       "$work" "$corpus" >"$log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true
    grep -E '^Done [0-9]+ runs' "$log" | tail -1
  else
    tail -40 "$log"
    echo "!! fuzz_$name failed (log: $log)"
    failed+=("$name")
  fi
done
if ((${#failed[@]})); then
  echo "== fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "== fuzzing clean"
