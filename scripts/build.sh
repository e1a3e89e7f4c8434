#!/usr/bin/env bash
# Configures and builds one build tree: scripts/build.sh DIR [cmake args...] [-- targets...]
set -euo pipefail
dir=$1; shift
cmake_args=() targets=()
while (($#)); do
  if [ "$1" = "--" ]; then shift; targets=("$@"); break; fi
  cmake_args+=("$1"); shift
done
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" ${targets[@]:+--target "${targets[@]}"}
