"""The network on real NYUDv2 photos: the figures that pick the shipped model.

  - ../shared/data/real/nyud-labelled/: two labelled test-split frames (000464, 000433): 40-class and
    13-class (SemanticFusion's remap) pixel accuracy and mIoU, depth RMSE and delta1;
  - ../shared/data/real/nyud-train-depth-10/: ten train-split photos with in-painted depth (mm): depth RMSE,
    abs rel and delta1 (the network never trains on them).
Frames are 640x480; the network runs at `scale` x that (0.5 = the app's 320x240), metrics at full resolution.

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.realeval --checkpoint CKPT [--grid grid.png] [--scale 0.5]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from PIL import Image

from .config import DEFAULT_DATA, VOID_LABEL
from .data import normalize_image, read_rgb
from .evaluate import predict
from .metrics import ConfusionMatrix, DepthErrors
from .model import JointNet

_MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_ROOT = os.path.join(os.path.dirname(_MODELS), '..', 'shared', 'data', 'real')
LABELLED = (('ExpNYUD_joint', '000464'), ('ExpNYUD_three', '000433'))
TRAIN_DEPTH_IDS = ('0003', '0004', '0005', '0006', '0007', '0008', '0010', '0011', '0012', '0013')


def nyu_class_table() -> dict:
    """models/classes/nyu-classes.json: names, the 40 -> 13 remap, palettes."""
    with open(os.path.join(_MODELS, 'classes', 'nyu-classes.json'), encoding='utf8') as f:
        return json.load(f)


def _to13(seg40: np.ndarray, table: List[int]) -> np.ndarray:
    """40-class ids -> SemanticFusion's 13 (1..13); void and unlabelled -> 255."""
    lut = np.full(256, VOID_LABEL, np.uint8)
    lut[:40] = np.asarray(table, np.uint8) - 1
    return lut[seg40]


def _image(path: str) -> Tuple[np.ndarray, torch.Tensor]:
    rgb = read_rgb(path)
    return rgb, torch.from_numpy(normalize_image(rgb, DEFAULT_DATA.mean, DEFAULT_DATA.std))[None]


def _depth(path: str, scale: float) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im).astype(np.float32) / scale


def files_present(root: str = REAL_ROOT) -> Optional[str]:
    """None when every real frame is there, else the first missing path."""
    for folder, i in LABELLED:
        p = os.path.join(root, 'nyud-labelled', folder, f'{i}.png')
        if not os.path.exists(p):
            return p
    for i in TRAIN_DEPTH_IDS:
        p = os.path.join(root, 'nyud-train-depth-10', 'color', f'{i}.png')
        if not os.path.exists(p):
            return p
    return None


@torch.no_grad()
def evaluate_real(model: JointNet, scale: float = 0.5, root: str = REAL_ROOT, device: str = 'cpu',
                  keep_predictions: bool = False) -> dict:
    """Metrics on the real frames; with keep_predictions, also the images and predictions (for a grid)."""
    missing = files_present(root)
    if missing:
        raise FileNotFoundError(f'{missing}: real NYUDv2 frames missing (expected ../shared/data/real/)')
    model = model.eval().to(device)
    cls = nyu_class_table()
    out: dict = {'scale': scale, 'frames': {}}
    cm40 = ConfusionMatrix(40) if model.config.with_segm else None
    cm13 = ConfusionMatrix(13) if model.config.with_segm else None
    de_test = DepthErrors() if model.config.with_depth else None
    shown = []
    for folder, i in LABELLED:
        base = os.path.join(root, 'nyud-labelled', folder)
        rgb, x = _image(os.path.join(base, f'{i}.png'))
        with Image.open(os.path.join(base, f'segm_gt_{i}.png')) as im:
            gt = np.asarray(im).astype(np.uint8)
        gd = _depth(os.path.join(base, f'depth_gt_{i}.png'), 5000.0)
        p = predict(model, x.to(device), gt.shape, scale)
        rec = {}
        if cm40 is not None:
            valid = gt != VOID_LABEL
            rec['pixel_acc40'] = float((p['segm'][valid] == gt[valid]).mean())
            cm40.update(p['segm'], gt)
            g13, p13 = _to13(gt, cls['nyu40to13']), _to13(p['segm'], cls['nyu40to13'])
            v13 = g13 != VOID_LABEL
            rec['pixel_acc13'] = float((p13[v13] == g13[v13]).mean())
            cm13.update(p13, g13)
        if de_test is not None:
            one = DepthErrors()
            one.update(p['depth'], gd)
            de_test.update(p['depth'], gd)
            d = one.compute()
            rec.update(rmse=float(d.rmse), delta1=float(d.delta1))
        out['frames'][i] = rec
        shown.append((i, rgb, p, gt, gd))
    if cm40 is not None:
        m40 = cm40.compute(list(cls['nyu40']))
        m13 = cm13.compute(list(cls['nyu13'][1:]))
        out.update(pixel_acc40=float(m40.pixel_acc), miou40=float(m40.miou), pixel_acc13=float(m13.pixel_acc),
                   miou13=float(m13.miou))
    if de_test is not None:
        d = de_test.compute()
        out.update(test_rmse=float(d.rmse), test_delta1=float(d.delta1))
        de_train = DepthErrors()
        per, ratio, gt_median = {}, {}, {}
        for i in TRAIN_DEPTH_IDS:
            rgb, x = _image(os.path.join(root, 'nyud-train-depth-10', 'color', f'{i}.png'))
            gd = _depth(os.path.join(root, 'nyud-train-depth-10', 'depth', f'{i}.png'), 1000.0)
            # The labelled set's white/black border carries no depth worth scoring.
            gd[:12], gd[-12:], gd[:, :12], gd[:, -12:] = 0, 0, 0, 0
            p = predict(model, x.to(device), gd.shape, scale)
            de_train.update(p['depth'], gd)
            one = DepthErrors()
            one.update(p['depth'], gd)
            per[i] = float(one.compute().rmse)
            # Median true / predicted depth: a network that regresses towards its training rooms' depths shows
            # ratios that grow with the scene's depth rather than one constant.
            both = (gd > 0) & (p['depth'] > 0)
            ratio[i] = float(np.median(gd[both] / p['depth'][both])) if both.any() else float('nan')
            gt_median[i] = float(np.median(gd[gd > 0])) if (gd > 0).any() else float('nan')
            if len(shown) < 4:
                shown.append((i, rgb, p, None, gd))
        d = de_train.compute()
        out.update(train10_rmse=float(d.rmse), train10_abs_rel=float(d.abs_rel), train10_delta1=float(d.delta1),
                   train10_per_frame_rmse=per, train10_per_frame_median_ratio=ratio, train10_per_frame_true_median_m=gt_median)
    if keep_predictions:
        out['_shown'] = shown
    return out


def _colour_depth(d: np.ndarray, vmax: float = 6.0) -> np.ndarray:
    t = np.clip(d / vmax, 0, 1)
    rgb = np.stack([t, 1 - np.abs(2 * t - 1), 1 - t], axis=2)
    rgb[d <= 0] = 0
    return (rgb * 255).astype(np.uint8)


def picture_grid(shown, path: str, palette: List[List[int]], width: int = 320) -> None:
    """Rows: RGB | predicted labels | true labels | predicted depth | true depth (0-6 m, blue = near)."""
    pal = np.zeros((256, 3), np.uint8)
    pal[:len(palette)] = np.asarray(palette, np.uint8)
    rows = []
    for _, rgb, p, gt, gd in shown:
        h = round(rgb.shape[0] * width / rgb.shape[1])

        def fit(a, nearest=False):
            return np.asarray(Image.fromarray(a).resize((width, h), Image.NEAREST if nearest else Image.BILINEAR))
        blank = np.full((h, width, 3), 40, np.uint8)
        cells = [fit(rgb),
                 fit(pal[p['segm']], True) if 'segm' in p else blank,
                 fit(pal[gt], True) if gt is not None else blank,
                 fit(_colour_depth(p['depth']), True) if 'depth' in p else blank,
                 fit(_colour_depth(gd), True)]
        rows.append(np.concatenate(cells, axis=1))
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)


def summary_line(m: dict) -> str:
    parts = []
    if 'pixel_acc40' in m:
        parts.append(f'real 40-class pixel acc {100 * m["pixel_acc40"]:.1f} % (mIoU {100 * m["miou40"]:.1f}), '
                     f'13-class {100 * m["pixel_acc13"]:.1f} %')
    if 'test_rmse' in m:
        parts.append(f'depth RMSE {m["test_rmse"]:.3f} m (test 2) / {m["train10_rmse"]:.3f} m (train 10), '
                     f'delta1 {100 * m["train10_delta1"]:.1f} %')
    return '; '.join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.realeval', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--scale', type=float, default=0.5)
    ap.add_argument('--grid', default=None, help='write a picture grid PNG here')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args(argv)
    from .checkpoint import CheckpointError, load_published
    torch.set_num_threads(a.threads)
    try:
        model, _ = load_published(a.checkpoint)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    m = evaluate_real(model, a.scale, keep_predictions=bool(a.grid))
    if a.grid:
        picture_grid(m.pop('_shown'), a.grid, nyu_class_table()['palette40'])
    print(summary_line(m), file=sys.stderr)
    print(json.dumps(m, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
