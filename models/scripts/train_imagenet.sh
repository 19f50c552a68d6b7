#!/usr/bin/env bash
# The shipped network's run (2026-12): ImageNet encoder, asymmetric annotations, real frames.
#
#   models/scripts/train_imagenet.sh OUT_DIR [ABLATIONS]
#
# Data (regenerate with the commands below; nothing here is committed but the run's log, card and checkpoint):
#   node bin/semslam.js gen --format labelled --no-labels --rooms 150 --views-per-room 24 --size 320x240 --room-seed-offset 0 --out /work/data/s1
#   node bin/semslam.js gen --format labelled --rooms 40 --views-per-room 20 --size 320x240 --room-seed-offset 1000 --out /work/data/s2
#   node bin/semslam.js gen --format labelled --rooms 12 --views-per-room 8 --size 640x480 --room-seed-offset 2000 --out /work/data/test640
#   PYTHONPATH=models /usr/bin/python3 -m semslam_net.real --seven-scenes ../shared/data/real/7scenes-redkitchen-0-499 --out /work/data/real7
# Resumable: run the same command again after a stop; finished phases are skipped, an interrupted one continues
# from OUT/<phase>/last.ckpt (saved every few minutes) and the card sums all parts.
set -euo pipefail
OUT="${1:?usage: train_imagenet.sh OUT_DIR [ABLATIONS]}"
ABL="${2:-none}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
DATA="${DATA:-/work/data}"
PY=${SEMSLAM_PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
# REAL_REPEAT=N lists the real frames N times in pre-training, so that they make up more of each batch.
REAL_ARGS=()
for _ in $(seq "${REAL_REPEAT:-1}"); do REAL_ARGS+=(--real "$DATA/real7"); done
PYTHONPATH=models nice -n "${NICE:-0}" "$PY" -m semslam_net.recipe \
  --s1 "$DATA/s1" --s2 "$DATA/s2" --test "$DATA/test640" "${REAL_ARGS[@]}" --out "$OUT" \
  --onnx "$OUT/model.onnx" --card "$OUT/model-card" \
  --teacher-steps "${TEACHER_STEPS:-200}" --pretrain-steps "${PRETRAIN_STEPS:-900}" --finetune-steps "${FINETUNE_STEPS:-300}" \
  --pretrain-init "${PRETRAIN_INIT:-imagenet}" \
  --ablations "$ABL" --ablation-steps "${ABLATION_STEPS:-250}" \
  --cache-size 320x240 --crop 192 --scale-range 0.5,2 --batch-size 8 \
  --optimizer adam --lr-encoder 1e-4 --lr-decoder 1e-3 --freeze-bn --train-encoder-from "${ENC_FROM:-9}" \
  --balance "${BALANCE:-uncertainty}" --eval-every "${EVAL_EVERY:-150}" --val-max-images "${VAL_MAX:-8}" \
  --eval-scale 0.5 --real-scale 0.5 --eval-max-images 48 --real-min-confidence 0.6 \
  --threads 2 --log-every 10 --checkpoint-every 100 --checkpoint-minutes 4 \
  2> >(tee -a "$OUT/train.log" >&2) | tee "$OUT/summary.json"
