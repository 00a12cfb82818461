#!/usr/bin/env bash
# Installs etpu's build and test dependencies from Debian's packages (Debian 12), when missing.
set -euo pipefail
pkgs=(cmake ninja-build g++ clang libclang-rt-14-dev flatbuffers-compiler libflatbuffers-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev
      libpng-dev libjpeg62-turbo-dev libssl-dev chromium libxnnpack-dev libpthreadpool-dev
      pybind11-dev python3-dev python3-numpy python3-pytest python3-pil)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (the oracle and LiteRT baselines) may come from elsewhere than Debian: only
# install Debian's when the commands are missing.
command -v node > /dev/null 2>&1 || missing+=(nodejs)
command -v npm > /dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "etpu: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
