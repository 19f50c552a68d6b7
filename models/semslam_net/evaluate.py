"""Evaluate a checkpoint on a labelled folder (full frames at native resolution): segmentation mIoU,
pixel accuracy; depth RMSE (linear, log), abs rel, sqr rel, log10, delta thresholds. Prints ONE JSON
document on stdout.

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.evaluate --checkpoint CKPT --data DIR [--out metrics.json]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Optional

import numpy as np
import torch

from .config import DEFAULT_DATA, DataConfig, class_names_for
from .data import LabelledFolder
from .losses import upsample_to
from .metrics import ConfusionMatrix, DepthErrors, metrics_to_dict
from .model import JointNet


@torch.no_grad()
def predict(model: JointNet, image: torch.Tensor, size, scale: float = 1.0, with_confidence: bool = False) -> dict:
    """Run the network on a normalised [1,3,H,W] image (resized by `scale` first, as the network was
    trained); outputs resized to `size`: segm argmax (bilinear logits), depth abs() in metres."""
    if scale != 1.0:
        image = torch.nn.functional.interpolate(image, scale_factor=scale, mode='bilinear', align_corners=False,
                                                antialias=scale < 1.0)
    outs = dict(zip(model.config.tasks(), model(image)))
    res = {}
    if 'segm' in outs:
        logits = upsample_to(outs['segm'], size)
        res['segm'] = logits.argmax(1)[0].cpu().numpy().astype(np.uint8)
        if with_confidence:
            res['confidence'] = logits.softmax(1).max(1).values[0].cpu().numpy()
    if 'depth' in outs:
        res['depth'] = upsample_to(outs['depth'], size)[0, 0].abs().cpu().numpy()
    return res


def evaluate(model: JointNet, root: str, config: DataConfig = DEFAULT_DATA, device: str = 'cpu',
             max_images: Optional[int] = None, progress: bool = True, scale: float = 1.0) -> dict:
    """Metrics of `model` on every frame of `root` (ground-truth labels and depth where present)."""
    model = model.eval().to(device)
    ds = LabelledFolder(root, config, train=False, segm_source='gt')
    n = len(ds) if max_images is None else min(len(ds), max_images)
    cm = ConfusionMatrix(model.config.num_classes) if model.config.with_segm else None
    de = DepthErrors() if model.config.with_depth else None
    t0 = time.time()
    for k in range(n):
        t = ds[k]
        size = t['segm'].shape
        p = predict(model, t['image'][None].to(device), size, scale)
        if cm is not None and bool(t['has_segm']):
            cm.update(p['segm'], t['segm'].numpy())
        if de is not None and bool(t['has_depth']):
            de.update(p['depth'], t['depth'].numpy())
        if progress and (k + 1) % 20 == 0:
            print(f'eval {k + 1}/{n} {(k + 1) / (time.time() - t0):.1f} img/s', file=sys.stderr, flush=True)
    out = {'data': root, 'images': n, 'scale': scale, 'seconds': round(time.time() - t0, 2)}
    if cm is not None:
        out['segmentation'] = metrics_to_dict(cm.compute(list(class_names_for(model.config.num_classes))))
    if de is not None:
        out['depth'] = metrics_to_dict(de.compute())
    return _finite(out)


def _finite(o):
    """NaN -> None so the JSON is standard."""
    if isinstance(o, float):
        return None if math.isnan(o) else o
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_finite(v) for v in o]
    return o


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.evaluate', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--data', required=True, help='labelled folder (NNNNNN.png, depth_gt_*, segm_gt_*)')
    ap.add_argument('--max-images', type=int, default=None)
    ap.add_argument('--scale', type=float, default=1.0, help='resize frames before the network (as trained)')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=None, help='also write the JSON here')
    args = ap.parse_args(argv)
    from .checkpoint import CheckpointError, load_published
    from .train import resolve_device
    torch.set_num_threads(args.threads)
    try:
        model, _ = load_published(args.checkpoint)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    res = evaluate(model, args.data, device=resolve_device(args.device), max_images=args.max_images, scale=args.scale)
    res['checkpoint'] = args.checkpoint
    text = json.dumps(res, indent=1)
    if args.out:
        with open(args.out, 'w', encoding='utf8') as f:
            f.write(text + '\n')
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
