#!/usr/bin/env bash
# Side-by-side: semslam's surfel fusion (`semslam map --json`) vs Open3D's frame-to-frame RGB-D odometry
# (scripts/peer/open3d_odometry.py, hybrid term) on the same sequences, same size, same frames.
# ATE uses the same rigid Horn alignment on both sides; ms/frame is the tracking+fusion call (ours) and the
# odometry call (Open3D), image decoding excluded on both.
#
# Usage: scripts/peer/compare.sh [--size WxH] [--max-frames N] SEQUENCE...
#   env OURS_FLAGS   extra flags for semslam map (e.g. "--depth-weight-only")
#   env OMP_NUM_THREADS  Open3D threads (default 1)
#   env SEMSLAM_THREADS  threads of our fusion kernels (default: OMP_NUM_THREADS, so both sides get the same)
# Needs python3-open3d (apt-get install -y python3-open3d).
set -euo pipefail
cd "$(dirname "$0")/../.."
size=() frames=() seqs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=(--size "$2"); shift 2 ;;
    --max-frames) frames=(--max-frames "$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) seqs+=("$1"); shift ;;
  esac
done
[ ${#seqs[@]} -gt 0 ] || { echo "usage: $0 [--size WxH] [--max-frames N] SEQUENCE..." >&2; exit 2; }
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
ours_threads="${SEMSLAM_THREADS:-$OMP_NUM_THREADS}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
i=0
for s in "${seqs[@]}"; do
  echo "== $s: semslam map" >&2
  # 7-Scenes colour comes from another camera than depth: both sides register it to depth with the same
  # camera (main/sources/sevenScenes.ts, SEVEN_SCENES_COLOUR_CAMERA) before tracking.
  ours_flags="${OURS_FLAGS-}"
  # shellcheck disable=SC2086
  node bin/semslam.js map "$s" --json --no-progress --threads "$ours_threads" --labels none ${size[@]+"${size[@]}"} ${frames[@]+"${frames[@]}"} $ours_flags > "$tmp/ours$i.json"
  echo "== $s: open3d odometry" >&2
  /usr/bin/python3 scripts/peer/open3d_odometry.py "$s" ${size[@]+"${size[@]}"} ${frames[@]+"${frames[@]}"} > "$tmp/peer$i.json"
  i=$((i + 1))
done
/usr/bin/python3 - "$tmp" "$i" <<'PY'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
def fmt(v, scale=1.0, digits=2):
    return '-' if v is None else f'{v * scale:.{digits}f}'
rows = []
for i in range(n):
    ours = json.load(open(f'{tmp}/ours{i}.json'))
    peer = json.load(open(f'{tmp}/peer{i}.json'))
    for name, r, method in (('semslam', ours, f"{ours.get('trackingMethod')} ({ours.get('threads', 1)} thr)"), ('open3d', peer, f"{peer['method']} ({peer['ompThreads']} thr)")):
        rpe = (r.get('rpe') or {}).get('perFrame') or {}
        rows.append([r['sequence'].rstrip('/').split('/')[-1], name, method, f"{r['width']}x{r['height']}", str(r['frames']),
                     fmt(r.get('ateRmseM'), 100), fmt(rpe.get('translationRmseM'), 1000, 1),
                     fmt(r['msPerFrame']['p50'], 1, 1), fmt(r['msPerFrame']['p95'], 1, 1), str(r['trackingFailures'])])
head = ['sequence', 'system', 'tracking', 'size', 'frames', 'ATE cm', 'RPE mm/frame', 'ms p50', 'ms p95', 'lost']
w = [max(len(x[k]) for x in rows + [head]) for k in range(len(head))]
print('ms: semslam = whole processFrame (preprocess, predict, track, fuse, labels); open3d = compute_rgbd_odometry only')
for row in [head] + rows:
    print('  '.join(c.ljust(w[k]) for k, c in enumerate(row)))
PY
