#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors and runs all tests;
# the unit tests again built by clang; the same tests under ASan+UBSan, the multi-threaded
# tests under TSan; then a short, reproducible run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo "== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }
scripts/install-deps.sh

stage "build (warnings are errors) and test"
scripts/build.sh build -DBATCHWIRE_WERROR=ON
ctest --test-dir build --output-on-failure -j2

# Sanitizer trees: -O1 with line tables compiles much faster than -O2 -g and still gives
# usable reports; assertions stay on.
sanitizer_flags=(-DBATCHWIRE_WERROR=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
                 -DBATCHWIRE_BUILD_EXAMPLES=OFF -DBATCHWIRE_BUILD_BENCH=OFF -DBATCHWIRE_BUILD_TOOLS=OFF
                 -DBATCHWIRE_INSTALL=OFF)

stage "clang: the library and the unit tests (warnings are errors)"
CXX=clang++ scripts/build.sh build-clang -DBATCHWIRE_WERROR=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g0" \
  -DBATCHWIRE_BUILD_EXAMPLES=OFF -DBATCHWIRE_BUILD_BENCH=OFF -DBATCHWIRE_BUILD_TOOLS=OFF -DBATCHWIRE_INSTALL=OFF \
  -- batchwire_unit_tests
build-clang/test/batchwire_unit_tests --report_level=short

stage "ASan+UBSan"
scripts/build.sh build-asan "${sanitizer_flags[@]}" -DBATCHWIRE_SANITIZE=address,undefined
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2

stage "TSan (multi-threaded tests)"
scripts/build.sh build-tsan "${sanitizer_flags[@]}" -DBATCHWIRE_SANITIZE=thread -- batchwire_thread_tests
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/test/tsan.supp" build-tsan/test/batchwire_thread_tests --run_test=@threads --report_level=short

stage "fuzzing (every parser of untrusted input: its seeds, then 50,000 mutations from a fixed seed)"
scripts/fuzz.sh --runs 50000
stage "all passed"
