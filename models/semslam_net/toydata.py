"""A tiny, deterministic, learnable dataset in the labelled layout, for tests and smoke runs of the
recipe when no generated data is at hand: each frame is a few axis-aligned rectangles whose class sets
the colour (plus noise) and whose depth is a per-class plane. Not a substitute for `semslam gen`."""
from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image

from .config import DEPTH_PNG_SCALE, VOID_LABEL

TOY_CLASSES = 4


def write_toy_folder(root: str, n: int, height: int = 64, width: int = 80, seed: int = 0, labels: bool = True,
                     num_classes: int = TOY_CLASSES) -> list:
    rng = np.random.default_rng(seed)
    colours = np.array([[200, 40, 40], [40, 200, 40], [40, 40, 200], [200, 200, 40], [40, 200, 200], [200, 40, 200]])
    os.makedirs(root, exist_ok=True)
    ids = []
    for k in range(n):
        i = f'{k:06d}'
        segm = np.zeros((height, width), np.uint8)
        for _ in range(3):
            c = int(rng.integers(0, num_classes))
            y0, x0 = int(rng.integers(0, height - 8)), int(rng.integers(0, width - 8))
            segm[y0:y0 + int(rng.integers(8, height)), x0:x0 + int(rng.integers(8, width))] = c
        rgb = colours[segm % len(colours)] + rng.normal(0, 12, (height, width, 3))
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
        depth_m = 1.0 + 0.8 * segm.astype(np.float32) + 0.002 * np.arange(width, dtype=np.float32)[None, :]
        depth = (depth_m * DEPTH_PNG_SCALE).astype(np.uint16)
        depth[rng.random((height, width)) < 0.05] = 0  # missing readings
        Image.fromarray(rgb).save(os.path.join(root, f'{i}.png'))
        Image.fromarray(depth).save(os.path.join(root, f'depth_gt_{i}.png'))
        if labels:
            lab = segm.copy()
            lab[:2, :] = VOID_LABEL
            Image.fromarray(lab, mode='L').save(os.path.join(root, f'segm_gt_{i}.png'))
        ids.append(i)
    with open(os.path.join(root, 'index.txt'), 'w', encoding='utf8') as f:
        f.write('\n'.join(ids) + '\n')
    with open(os.path.join(root, 'meta.json'), 'w', encoding='utf8') as f:
        json.dump({'generator': 'semslam_net.toydata', 'frames': n, 'labels': labels}, f)
    return ids
