"""Real frames as training data: 7-Scenes colour + Kinect depth as a depth-only labelled-layout folder (the
asymmetric recipe's S1 kind of data: the teacher adds the labels).

7-Scenes' colour and depth come from two cameras that the dataset does not calibrate against each other. We
WARP depth into the colour image with the Kinect v1 intrinsics (depth fx = fy = 585, colour fx = fy = 525,
both centred; the ~2.5 cm baseline is ignored) and then MASK what the warp cannot get right: pixels near depth
discontinuities (where the ignored baseline and any residual misalignment put foreground depth on background
colour) and pixels no depth sample lands on. Without the warp, depth is ~11 % too zoomed against the colour
(33 px at the image edges at 640x480).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.real --seven-scenes ../shared/data/real/7scenes-redkitchen-0-499 \
      --out /work/data/real7 [--size 320x240] [--every 1]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Tuple

import numpy as np
from PIL import Image

from .config import DEPTH_PNG_SCALE

DEPTH_F = 585.0
COLOUR_F = 525.0
# Relative depth range in a 5x5 window above which a pixel counts as a discontinuity and is masked.
EDGE_RELATIVE_RANGE = 0.06
_FRAME = re.compile(r'^frame-(\d+)\.color\.(jpg|png)$')


def warp_depth_to_colour(depth_m: np.ndarray, depth_f: float = DEPTH_F, colour_f: float = COLOUR_F) -> np.ndarray:
    """Forward-warp a depth image (metres, 0 = missing) from the depth camera into the colour camera of the
    same size (principal points at the centre), nearest-sample with a z-buffer."""
    h, w = depth_m.shape
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    v, u = np.nonzero(depth_m > 0)
    z = depth_m[v, u]
    uc = np.round(cx + (u - cx) * colour_f / depth_f).astype(np.int64)
    vc = np.round(cy + (v - cy) * colour_f / depth_f).astype(np.int64)
    ok = (uc >= 0) & (uc < w) & (vc >= 0) & (vc < h)
    uc, vc, z = uc[ok], vc[ok], z[ok]
    out = np.full((h, w), np.inf, np.float32)
    # Nearest surface wins: write far-to-near so the nearest sample lands last.
    order = np.argsort(-z)
    out[vc[order], uc[order]] = z[order]
    out[~np.isfinite(out)] = 0.0
    return out


def mask_discontinuities(depth_m: np.ndarray, rel: float = EDGE_RELATIVE_RANGE, radius: int = 2) -> np.ndarray:
    """Zero pixels whose (2r+1)^2 neighbourhood spans more than `rel` of their depth, or touches a hole."""
    h, w = depth_m.shape
    big = np.where(depth_m > 0, depth_m, np.inf)
    pad_hi = np.pad(depth_m, radius, mode='edge')
    pad_lo = np.pad(big, radius, mode='edge')
    hi = np.zeros_like(depth_m)
    lo = np.full_like(depth_m, np.inf)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            hi = np.maximum(hi, pad_hi[dy:dy + h, dx:dx + w])
            lo = np.minimum(lo, pad_lo[dy:dy + h, dx:dx + w])
    has_hole = np.zeros_like(depth_m, bool)
    zero = np.pad(depth_m <= 0, radius, mode='edge')
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            has_hole |= zero[dy:dy + h, dx:dx + w]
    bad = (hi - lo > rel * np.maximum(depth_m, 1e-6)) | has_hole
    return np.where(bad, 0.0, depth_m).astype(np.float32)


def prepare_seven_scenes(src: str, out: str, size: Tuple[int, int] = (320, 240), every: int = 1, log=sys.stderr) -> int:
    """Write `out` in the labelled layout (NNNNNN.png, depth_gt_NNNNNN.png; no segm_gt): returns frames written."""
    names = sorted(n for n in os.listdir(src) if _FRAME.match(n))
    if not names:
        raise ValueError(f'{src}: no frame-NNNNNN.color.jpg/.png files (not a 7-Scenes folder)')
    os.makedirs(out, exist_ok=True)
    ids = []
    for k, n in enumerate(names[::every]):
        num = _FRAME.match(n).group(1)
        dpath = os.path.join(src, f'frame-{num}.depth.png')
        if not os.path.exists(dpath):
            raise ValueError(f'{dpath}: missing depth for {n}')
        with Image.open(os.path.join(src, n)) as im:
            rgb = im.convert('RGB')
        with Image.open(dpath) as im:
            raw = np.asarray(im).astype(np.float32)
        raw[raw >= 65535] = 0
        d = mask_discontinuities(warp_depth_to_colour(raw / 1000.0))
        # Depth is downsampled by taking the nearest valid sample of each block (nearest resize keeps holes honest).
        w, h = size
        rgb = rgb.resize((w, h), Image.BILINEAR)
        d_small = np.asarray(Image.fromarray(d).resize((w, h), Image.NEAREST))
        fid = f'{k + 1:06d}'
        rgb.save(os.path.join(out, f'{fid}.png'))
        Image.fromarray(np.round(d_small * DEPTH_PNG_SCALE).clip(0, 65535).astype(np.uint16)).save(
            os.path.join(out, f'depth_gt_{fid}.png'))
        ids.append(fid)
        if (k + 1) % 100 == 0:
            print(f'[real] {k + 1} frames', file=log, flush=True)
    with open(os.path.join(out, 'index.txt'), 'w', encoding='utf8') as f:
        f.write('\n'.join(ids) + '\n')
    return len(ids)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.real', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seven-scenes', required=True, help='7-Scenes frame folder (frame-NNNNNN.color.jpg|png + .depth.png)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--size', default='320x240')
    ap.add_argument('--every', type=int, default=1, help='take every n-th frame')
    a = ap.parse_args(argv)
    w, h = (int(v) for v in a.size.lower().split('x'))
    n = prepare_seven_scenes(a.seven_scenes, a.out, (w, h), a.every)
    print(f'wrote {n} frames to {a.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
