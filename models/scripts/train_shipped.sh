#!/usr/bin/env bash
# Train the shipped joint network end to end on this machine (CPU, ~45 min budget with the defaults):
# teacher on S2 -> teacher labels S1 -> pre-train on S1 -> fine-tune on S2 (LR / 10) -> evaluate on the
# held-out rooms -> export ONNX -> model card (JSON + Markdown) with a Table III analogue.
#
#   models/scripts/train_shipped.sh S1_DIR S2_DIR TEST_DIR [OUT_DIR] [ONNX_FILE]
#
# S1_DIR: depth-only frames (semslam gen --format labelled --no-labels), S2_DIR: frames with labels,
# TEST_DIR: labelled frames of rooms not in S1/S2. Steps and sizes can be overridden through the
# environment (defaults sized from the throughput measured by `python3 -m semslam_net.bench`):
#   CROP=160 SCALE=0.5 BATCH=8 TEACHER_STEPS=60 TEACHER_WIDTH=1.0 PRETRAIN_STEPS=140 FINETUNE_STEPS=60
#   ABLATIONS=s2_joint ABLATION_STEPS=(pretrain+finetune) EVAL_MAX=40 EVAL_SCALE=(SCALE) THREADS=2 DEVICE=auto
# Budget estimate (2 uncontended threads, ~0.5 s per 160x160 training image): teacher 4 min, labelling
# S1 ~0.5 s/frame, pre-train 10 min, fine-tune 4 min, S2-only ablation 14 min, evaluation ~2 min.
# On a loaded machine use THREADS=1 (OpenMP threads spin-waiting on each other cost ~10x CPU time).
# Re-running the same command resumes: finished phases are skipped, an interrupted one continues from
# its last checkpoint.
set -euo pipefail
if [ "$#" -lt 3 ]; then
  sed -n '2,22p' "$0" >&2
  exit 2
fi
S1="$1"; S2="$2"; TEST="$3"; OUT="${4:-runs/shipped}"; ONNX="${5:-$OUT/model.onnx}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY=${SEMSLAM_PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
echo "[train_shipped] $(date -u +%FT%TZ) S1=$S1 S2=$S2 TEST=$TEST OUT=$OUT" >&2
PYTHONPATH=models "$PY" -m semslam_net.recipe \
  --s1 "$S1" --s2 "$S2" --test "$TEST" --out "$OUT" --onnx "$ONNX" --card "$OUT/model-card" \
  --crop "${CROP:-160}" --scale "${SCALE:-0.5}" --batch-size "${BATCH:-8}" \
  --teacher-steps "${TEACHER_STEPS:-60}" --pretrain-steps "${PRETRAIN_STEPS:-140}" \
  --finetune-steps "${FINETUNE_STEPS:-60}" --teacher-width "${TEACHER_WIDTH:-1.0}" \
  --eval-max-images "${EVAL_MAX:-40}" ${EVAL_SCALE:+--eval-scale "$EVAL_SCALE"} \
  --ablations "${ABLATIONS:-s2_joint}" ${ABLATION_STEPS:+--ablation-steps "$ABLATION_STEPS"} \
  --threads "${THREADS:-2}" --device "${DEVICE:-auto}" --log-every 10 --checkpoint-every 50 \
  2> >(tee -a "$OUT/train.log" >&2) | tee "$OUT/summary.json"
echo "[train_shipped] done $(date -u +%FT%TZ): $ONNX, $OUT/model-card.md" >&2
