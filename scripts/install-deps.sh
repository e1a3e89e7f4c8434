#!/usr/bin/env bash
# Installs the build dependencies on Debian 12 when any is missing; a no-op otherwise.
set -euo pipefail
packages=(g++ clang cmake ninja-build git libssl-dev openssl libboost1.81-dev libboost-json1.81-dev
          libboost-url1.81-dev libboost-test1.81-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "installing: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
