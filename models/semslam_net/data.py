"""NYUDv2 labelled-layout datasets.

Layout of a folder (as the published ExpNYUD_* samples and `semslam gen --format labelled` write it):
  NNNNNN.png            RGB 8-bit
  depth_gt_NNNNNN.png   16-bit, metres x 5000, 0 = missing          (optional)
  segm_gt_NNNNNN.png    8-bit class ids 0..C-1, 255 = void           (optional: depth-only sets lack it)
  norm_gt_NNNNNN.png    normals as RGB, n = rgb / 127.5 - 1          (optional)
  index.txt             ids, one a line (optional; otherwise every NNNNNN.png is taken)
  teacher/segm_NNNNNN.png  hard labels written by `semslam_net.label` (segm source 'teacher')
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from .config import DEFAULT_DATA, DEPTH_PNG_SCALE, VOID_LABEL, DataConfig

SEGM_SOURCES = ('gt', 'teacher', 'none')
TEACHER_DIR = 'teacher'
# A decoded normal shorter than this is a no-data pixel, not a direction.
NORMALS_MIN_NORM = 0.5
_ID_PNG = re.compile(r'^(\d+)\.png$')


class DatasetError(ValueError):
    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')


def rgb_path(root: str, i: str) -> str:
    return os.path.join(root, f'{i}.png')


def depth_path(root: str, i: str) -> str:
    return os.path.join(root, f'depth_gt_{i}.png')


def segm_path(root: str, i: str, source: str = 'gt') -> str:
    if source == 'teacher':
        return os.path.join(root, TEACHER_DIR, f'segm_{i}.png')
    return os.path.join(root, f'segm_gt_{i}.png')


def normals_path(root: str, i: str) -> str:
    return os.path.join(root, f'norm_gt_{i}.png')


def list_ids(root: str) -> List[str]:
    """Frame ids of a folder: index.txt when present, else every NNNNNN.png."""
    if not os.path.isdir(root):
        raise DatasetError(root, 'not a directory')
    idx = os.path.join(root, 'index.txt')
    if os.path.exists(idx):
        with open(idx, 'r', encoding='utf8') as f:
            ids = [ln.strip() for ln in f if ln.strip() and not ln.startswith('#')]
    else:
        ids = sorted(m.group(1) for m in (_ID_PNG.match(n) for n in os.listdir(root)) if m)
    if not ids:
        raise DatasetError(root, 'no frames (expected index.txt or NNNNNN.png files)')
    return ids


def read_rgb(path: str) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'), dtype=np.uint8)


def read_depth_m(path: str) -> np.ndarray:
    """16-bit PNG -> float32 metres (0 = missing)."""
    with Image.open(path) as im:
        a = np.asarray(im)
    if a.ndim != 2:
        raise DatasetError(path, f'depth PNG must be single-channel 16-bit, got shape {a.shape}')
    return a.astype(np.float32) / DEPTH_PNG_SCALE


def read_segm(path: str) -> np.ndarray:
    with Image.open(path) as im:
        a = np.asarray(im)
    if a.ndim != 2:
        raise DatasetError(path, f'label PNG must be single-channel 8-bit, got shape {a.shape}')
    return a.astype(np.uint8)


def read_normals(path: str) -> np.ndarray:
    """RGB PNG -> float32 [H,W,3] in [-1,1]; pixels far from unit length (black, or the grey
    (127,127,127) border of the published files) become 0 = invalid."""
    rgb = read_rgb(path).astype(np.float32)
    n = rgb / 127.5 - 1.0
    n[np.linalg.norm(n, axis=2) < NORMALS_MIN_NORM] = 0.0
    return n


def normalize_image(rgb: np.ndarray, mean=DEFAULT_DATA.mean, std=DEFAULT_DATA.std) -> np.ndarray:
    """uint8 HWC RGB -> float32 CHW, (x/255 - mean)/std."""
    x = rgb.astype(np.float32) / 255.0
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


@dataclass
class Sample:
    id: str
    rgb: np.ndarray  # HxWx3 uint8
    depth: Optional[np.ndarray]  # HxW float32 metres
    segm: Optional[np.ndarray]  # HxW uint8
    normals: Optional[np.ndarray]  # HxWx3 float32


def load_sample(root: str, i: str, segm_source: str = 'gt', with_depth: bool = True,
                with_normals: bool = False) -> Sample:
    rp = rgb_path(root, i)
    if not os.path.exists(rp):
        raise DatasetError(rp, 'missing RGB image')
    rgb = read_rgb(rp)
    depth = None
    if with_depth and os.path.exists(depth_path(root, i)):
        depth = read_depth_m(depth_path(root, i))
    segm = None
    if segm_source != 'none':
        sp = segm_path(root, i, segm_source)
        if os.path.exists(sp):
            segm = read_segm(sp)
        elif segm_source == 'teacher':
            raise DatasetError(sp, 'missing teacher label (run semslam_net.label on this folder first)')
    normals = read_normals(normals_path(root, i)) if with_normals and os.path.exists(normals_path(root, i)) else None
    for name, a in (('depth', depth), ('segm', segm), ('normals', normals)):
        if a is not None and a.shape[:2] != rgb.shape[:2]:
            raise DatasetError(root, f'frame {i}: {name} is {a.shape[:2]} but the image is {rgb.shape[:2]}')
    return Sample(i, rgb, depth, segm, normals)


def _resize(s: Sample, scale: float) -> Sample:
    if scale == 1.0:
        return s
    h, w = s.rgb.shape[:2]
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    rgb = np.asarray(Image.fromarray(s.rgb).resize((nw, nh), Image.BILINEAR))
    depth = None if s.depth is None else np.asarray(Image.fromarray(s.depth).resize((nw, nh), Image.NEAREST))
    segm = None if s.segm is None else np.asarray(Image.fromarray(s.segm).resize((nw, nh), Image.NEAREST))
    normals = None
    if s.normals is not None:
        normals = np.stack([np.asarray(Image.fromarray(s.normals[..., k]).resize((nw, nh), Image.NEAREST))
                            for k in range(3)], axis=2)
    return Sample(s.id, rgb, depth, segm, normals)


def to_tensors(s: Sample, config: DataConfig = DEFAULT_DATA) -> Dict[str, torch.Tensor]:
    """Full-frame tensors: image [3,H,W] normalised, segm [H,W] long (255 where absent), depth [H,W]
    (0 where absent), normals [3,H,W] (0 where absent), plus has_* flags."""
    h, w = s.rgb.shape[:2]
    out = {
        'image': torch.from_numpy(normalize_image(s.rgb, config.mean, config.std)),
        'segm': torch.from_numpy(s.segm.astype(np.int64)) if s.segm is not None
        else torch.full((h, w), VOID_LABEL, dtype=torch.long),
        'depth': torch.from_numpy(s.depth) if s.depth is not None else torch.zeros(h, w),
        'normals': torch.from_numpy(np.ascontiguousarray(s.normals.transpose(2, 0, 1))) if s.normals is not None
        else torch.zeros(3, h, w),
        'has_segm': torch.tensor(s.segm is not None),
        'has_depth': torch.tensor(s.depth is not None),
        'has_normals': torch.tensor(s.normals is not None),
    }
    return out


def random_crop_mirror(t: Dict[str, torch.Tensor], crop: int, mirror: bool, rng: np.random.Generator):
    """Pad (image 0 = the mean after normalisation, segm void, depth/normals 0 = missing) up to the crop,
    take a random crop x crop window, mirror horizontally with probability 1/2 (negating normals' x)."""
    _, h, w = t['image'].shape
    ph, pw = max(0, crop - h), max(0, crop - w)
    if ph or pw:
        pad = (0, pw, 0, ph)
        t['image'] = torch.nn.functional.pad(t['image'], pad, value=0.0)
        t['segm'] = torch.nn.functional.pad(t['segm'], pad, value=VOID_LABEL)
        t['depth'] = torch.nn.functional.pad(t['depth'], pad, value=0.0)
        t['normals'] = torch.nn.functional.pad(t['normals'], pad, value=0.0)
        h, w = h + ph, w + pw
    y0 = int(rng.integers(0, h - crop + 1))
    x0 = int(rng.integers(0, w - crop + 1))
    for k in ('image', 'segm', 'depth', 'normals'):
        t[k] = t[k][..., y0:y0 + crop, x0:x0 + crop]
    if mirror and rng.random() < 0.5:
        for k in ('image', 'segm', 'depth', 'normals'):
            t[k] = t[k].flip(-1)
        t['normals'] = t['normals'] * torch.tensor([-1.0, 1.0, 1.0]).view(3, 1, 1)
    for k in ('image', 'segm', 'depth', 'normals'):
        t[k] = t[k].contiguous()
    return t


class LabelledFolder(Dataset):
    """One labelled-layout folder. train=True applies the random crop + mirror of DataConfig; otherwise
    full frames. segm_source: 'gt' (segm_gt_*), 'teacher' (teacher/segm_*), 'none' (depth only)."""

    def __init__(self, root: str, config: DataConfig = DEFAULT_DATA, train: bool = True, segm_source: str = 'gt',
                 with_depth: bool = True, with_normals: bool = False, seed: int = 0, ids: Optional[List[str]] = None):
        if segm_source not in SEGM_SOURCES:
            raise ValueError(f'segm_source must be one of {SEGM_SOURCES}, got {segm_source!r}')
        self.root = root
        self.ids = list(ids) if ids is not None else list_ids(root)
        self.config = config
        self.train = train
        self.segm_source = segm_source
        self.with_depth = with_depth
        self.with_normals = with_normals
        self.seed = seed
        self._calls = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, k: int) -> Dict[str, torch.Tensor]:
        s = load_sample(self.root, self.ids[k], self.segm_source, self.with_depth, self.with_normals)
        if self.train:
            s = _resize(s, self.config.scale)
        t = to_tensors(s, self.config)
        if self.train:
            # Per-item generator: reproducible given the seed, different per visit and per worker.
            self._calls += 1
            rng = np.random.default_rng((self.seed, k, self._calls, os.getpid()))
            t = random_crop_mirror(t, self.config.crop, self.config.mirror, rng)
        t['index'] = torch.tensor(k)
        return t


def parse_data_spec(spec: str):
    """`DIR` or `DIR@SOURCE` with SOURCE in gt | teacher | none (segmentation labels to use)."""
    if '@' in spec:
        root, src = spec.rsplit('@', 1)
    else:
        root, src = spec, 'gt'
    if src not in SEGM_SOURCES:
        raise ValueError(f'{spec}: segmentation source must be one of {SEGM_SOURCES}')
    return root, src
