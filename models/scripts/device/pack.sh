#!/usr/bin/env bash
# Packs what a borrowed GPU machine needs to train the network there (it has PyTorch but no node, no data and no
# network access): a compressed node binary, the room generator bundled into one file, and the starting weights.
#
#   models/scripts/device/pack.sh INIT_CHECKPOINT      -> .gpu/ (git-ignored; ~36 MB)
#
# Then, through the device tool's run, with carry [".gpu"] (the working tree that travels must stay under 64 MiB:
# take models/runs and the shipped ONNX file out of the index for that call, `git reset` afterwards):
#   xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node && export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 \
#     PYTHONUNBUFFERED=1 DEADLINE_S=545 && python3 .gpu/train_on_device.py 2>&1 | tee $OUT/log.txt
# $OUT comes back with pretrain.ckpt and finetune.ckpt (weights only), their curves and the log; export here with
# `semslam convert-checkpoint`. Rehearse in miniature on the CPU first (see train_on_device.py's environment knobs).
set -euo pipefail
INIT="${1:?usage: pack.sh INIT_CHECKPOINT}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
mkdir -p .gpu
xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
npx esbuild models/scripts/device/gen-labelled.mjs --bundle --platform=node --format=esm --target=node20 --outfile=.gpu/gen.mjs
cp models/scripts/device/train_on_device.py .gpu/train_on_device.py
cp "$INIT" .gpu/init.ckpt
du -sh .gpu
