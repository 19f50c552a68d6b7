#!/usr/bin/env bash
# Debian packages the project needs: PyTorch, pytest, NumPy, Pillow and ONNX for the training package and
# its tests, Chromium for the end-to-end tests. Installs only what is missing; needs root (or sudo).
#   --check   only report what is missing (exit 1 if anything is)
set -euo pipefail
pkgs=(python3-torch python3-pytest python3-numpy python3-pil python3-onnx chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "system packages missing: ${missing[*]}"
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
