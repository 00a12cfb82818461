#!/usr/bin/env bash
# Installs etpu's build and test dependencies from Debian's packages (Debian 12), when missing.
# Besides the host (amd64) packages: the aarch64 cross toolchain, qemu-user and the arm64
# multiarch -dev packages that the aarch64 subset links (scripts/test.sh's aarch64 stage,
# docs/ARM64.md). `apt-get -s install` of these on Debian 12 removes no amd64 package; it moves
# a few amd64 libraries (libssl, libpng, zlib, krb5) to the same point release as their arm64
# twins, as Multi-Arch: same requires. ETPU_SKIP_ARM64=1 leaves the aarch64 part out.
set -euo pipefail
pkgs=(cmake ninja-build g++ clang libclang-rt-14-dev flatbuffers-compiler libflatbuffers-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev
      libpng-dev libjpeg62-turbo-dev libssl-dev chromium libxnnpack-dev libpthreadpool-dev
      pybind11-dev python3-dev python3-numpy python3-pytest python3-pil)
arm64_pkgs=(g++-aarch64-linux-gnu qemu-user libflatbuffers-dev:arm64 libfmt-dev:arm64
            libgtest-dev:arm64 libgmock-dev:arm64 libpng-dev:arm64 libjpeg62-turbo-dev:arm64
            libssl-dev:arm64)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
if [ "${ETPU_SKIP_ARM64:-0}" != "1" ]; then
  pkgs+=("${arm64_pkgs[@]}")
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
  fi
fi
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
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
