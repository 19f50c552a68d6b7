"""Pre-decoded, memory-mapped copies of labelled folders, so the training loop never decodes a PNG.

A folder's frames are decoded once into `DIR/.cache/<source>-<W>x<H>/` as .npy arrays (opened with mmap):
  rgb.npy    uint8  [N,H,W,3]
  depth.npy  float16 [N,H,W]   metres, 0 = missing (float16 keeps ~1 mm at 2 m, ~4 mm at 8 m)
  segm.npy   uint8  [N,H,W]    class ids, 255 = void (all void when the source has no labels)
  meta.json  ids, source, size, per-frame has_segm / has_depth, the folder's file stamp
Frames are resized to the cache size (bilinear RGB, nearest depth / labels) when the folder's differ. A cache
whose stamp no longer matches the folder (frames added, labels rewritten by the teacher) is rebuilt.
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import List, Optional, Tuple

import numpy as np
import torch
from PIL import Image

from .augment import augment, to_sample_tensors
from .config import VOID_LABEL
from .data import depth_path, list_ids, load_sample, segm_path

CACHE_DIR = '.cache'


def _stamp(root: str, ids: List[str], source: str) -> str:
    """Cheap identity of a folder's contents: frame count and the newest mtime among the files read."""
    newest = 0.0
    for i in ids[:: max(1, len(ids) // 50)] + ids[-1:]:
        for p in (os.path.join(root, f'{i}.png'), depth_path(root, i), segm_path(root, i, source)):
            if os.path.exists(p):
                newest = max(newest, os.path.getmtime(p))
    return f'{len(ids)}:{newest:.3f}'


class FrameCache:
    """A folder's frames, decoded and memory-mapped (read-only)."""

    def __init__(self, path: str):
        with open(os.path.join(path, 'meta.json'), encoding='utf8') as f:
            self.meta = json.load(f)
        self.path = path
        self.ids: List[str] = self.meta['ids']
        self.rgb = np.load(os.path.join(path, 'rgb.npy'), mmap_mode='r')
        self.depth = np.load(os.path.join(path, 'depth.npy'), mmap_mode='r')
        self.segm = np.load(os.path.join(path, 'segm.npy'), mmap_mode='r')
        self.has_segm = np.asarray(self.meta['has_segm'], bool)
        self.has_depth = np.asarray(self.meta['has_depth'], bool)

    def __len__(self) -> int:
        return len(self.ids)


def cache_path(root: str, source: str, size: Tuple[int, int]) -> str:
    return os.path.join(root, CACHE_DIR, f'{source}-{size[0]}x{size[1]}')


def build_cache(root: str, source: str = 'gt', size: Optional[Tuple[int, int]] = None, log=sys.stderr) -> FrameCache:
    """Decode `root` (labels from `source`: gt | teacher | none) into its cache, or open the cache when it
    is current. size = (W, H); default: the folder's own frame size."""
    ids = list_ids(root)
    if size is None:
        with Image.open(os.path.join(root, f'{ids[0]}.png')) as im:
            size = im.size
    path = cache_path(root, source, size)
    stamp = _stamp(root, ids, source)
    meta_file = os.path.join(path, 'meta.json')
    if os.path.exists(meta_file):
        with open(meta_file, encoding='utf8') as f:
            if json.load(f).get('stamp') == stamp:
                return FrameCache(path)
    os.makedirs(path, exist_ok=True)
    w, h = size
    n = len(ids)
    rgb = np.lib.format.open_memmap(os.path.join(path, 'rgb.npy'), 'w+', np.uint8, (n, h, w, 3))
    depth = np.lib.format.open_memmap(os.path.join(path, 'depth.npy'), 'w+', np.float16, (n, h, w))
    segm = np.lib.format.open_memmap(os.path.join(path, 'segm.npy'), 'w+', np.uint8, (n, h, w))
    has_segm, has_depth = [], []
    t0 = time.time()
    for k, i in enumerate(ids):
        s = load_sample(root, i, source)
        im = s.rgb
        if im.shape[:2] != (h, w):
            im = np.asarray(Image.fromarray(im).resize((w, h), Image.BILINEAR))
        rgb[k] = im
        if s.depth is not None:
            d = s.depth if s.depth.shape == (h, w) else np.asarray(Image.fromarray(s.depth).resize((w, h), Image.NEAREST))
            depth[k] = d.astype(np.float16)
        else:
            depth[k] = 0
        if s.segm is not None:
            g = s.segm if s.segm.shape == (h, w) else np.asarray(Image.fromarray(s.segm).resize((w, h), Image.NEAREST))
            segm[k] = g
        else:
            segm[k] = VOID_LABEL
        has_segm.append(s.segm is not None)
        has_depth.append(s.depth is not None)
        if (k + 1) % 200 == 0 or k + 1 == n:
            rate = (k + 1) / max(time.time() - t0, 1e-9)
            print(f'[cache] {root}@{source} {k + 1}/{n} frames {rate:.0f}/s ETA {(n - k - 1) / rate:.0f}s',
                  file=log, flush=True)
    for a in (rgb, depth, segm):
        a.flush()
    del rgb, depth, segm
    with open(meta_file, 'w', encoding='utf8') as f:
        json.dump({'ids': ids, 'source': source, 'size': [w, h], 'has_segm': has_segm, 'has_depth': has_depth,
                   'stamp': stamp, 'root': os.path.abspath(root)}, f)
    return FrameCache(path)


class CachedDataset:
    """Random augmented crops of a cached folder (a torch-style map dataset)."""

    def __init__(self, cache: FrameCache, augment_cfg, seed: int = 0, with_segm: bool = True):
        self.cache = cache
        self.cfg = augment_cfg
        self.seed = seed
        self.with_segm = with_segm
        self._calls = 0

    def __len__(self) -> int:
        return len(self.cache)

    def __getitem__(self, k: int):
        self._calls += 1
        rng = np.random.default_rng((self.seed, k, self._calls, os.getpid()))
        c = self.cache
        has_segm = bool(c.has_segm[k]) and self.with_segm
        segm = np.asarray(c.segm[k]) if has_segm else np.full(c.segm.shape[1:], VOID_LABEL, np.uint8)
        rgb, depth, segm = augment(np.asarray(c.rgb[k]), np.asarray(c.depth[k], np.float32), segm, self.cfg, rng)
        t = to_sample_tensors(rgb, depth, segm, has_segm, bool(c.has_depth[k]))
        t['index'] = torch.tensor(k)
        return t
