#!/usr/bin/env bash
# The main job: installs what is missing, builds the demo, then cancels a batch and watches
# it to its end. Without OPENAI_API_KEY it runs against the local emulator on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The same build tree and settings as scripts/test.sh, so that neither rebuilds the other's work.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBATCHWIRE_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)" --target batchwire-demo >/dev/null
exec build/tools/demo/batchwire-demo
