#!/usr/bin/env bash
# Packs what a borrowed GPU machine needs to train the network there (it has PyTorch but no node, no data and no
# network access): a compressed node binary, the room generator bundled into one file, and the starting weights.
#
#   models/scripts/device/pack.sh INIT_CHECKPOINT [REAL_DIR]     -> .gpu/ (git-ignored; ~36 MB, ~50 MB with REAL_DIR)
#
# REAL_DIR: a real depth-only folder from semslam_net.real (320x240); every REAL_EVERY-th frame (default 2) travels,
# colour re-encoded as JPEG (a quarter of the PNG's size), and the device's teacher labels it like the recipe does.
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
rm -rf .gpu/real
if [ -n "${2:-}" ]; then
  "${SEMSLAM_PYTHON:-/usr/bin/python3}" - "$2" .gpu/real "${REAL_EVERY:-2}" <<'PY'
import os, shutil, sys
from PIL import Image
src, dst, every = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst)
ids = [l.strip() for l in open(os.path.join(src, 'index.txt')) if l.strip()][::every]
for i in ids:
    Image.open(os.path.join(src, i + '.png')).convert('RGB').save(os.path.join(dst, i + '.jpg'), quality=92)
    shutil.copy(os.path.join(src, f'depth_gt_{i}.png'), dst)
open(os.path.join(dst, 'index.txt'), 'w').write('\n'.join(ids) + '\n')
print(f'{len(ids)} real frames packed from {src}')
PY
fi
du -sh .gpu
