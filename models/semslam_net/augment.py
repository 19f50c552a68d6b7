"""Training-time augmentation on cached frames: the paper's random scale + crop + mirror, and photometric
changes that make rendered rooms look more like real cameras (colour, blur, sensor noise, JPEG).

Scale changes the apparent size of everything as moving the camera would, so metric depth is divided by the
scale (Eigen et al., NIPS 2014): a 2x zoom shows the scene as if it were twice as close. Without that, the
network is taught that size says nothing about distance.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np
import torch
from PIL import Image, ImageFilter

from .config import IMAGENET_MEAN, IMAGENET_STD, VOID_LABEL


@dataclass(frozen=True)
class AugmentConfig:
    crop: int = 192
    scale_range: Tuple[float, float] = (0.5, 2.0)
    mirror: bool = True
    # Photometric: probability of each change, and its strength.
    colour: float = 0.8  # brightness / contrast / saturation / per-channel gain
    blur: float = 0.3
    noise: float = 0.5
    jpeg: float = 0.5
    jpeg_quality: Tuple[int, int] = (30, 90)
    # Depth from the scale-divided value is kept where it stays within the sensor range the network predicts.
    max_depth: float = 10.0


NO_PHOTOMETRIC = AugmentConfig(colour=0.0, blur=0.0, noise=0.0, jpeg=0.0)


def _photometric(rgb: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator) -> np.ndarray:
    im = rgb
    if rng.random() < cfg.blur:
        im = np.asarray(Image.fromarray(im).filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 1.5)))))
    x = im.astype(np.float32)
    if rng.random() < cfg.colour:
        x *= rng.uniform(0.6, 1.4)  # brightness (exposure)
        mean = x.mean()
        x = (x - mean) * rng.uniform(0.6, 1.4) + mean  # contrast
        grey = x.mean(axis=2, keepdims=True)
        x = (x - grey) * rng.uniform(0.5, 1.5) + grey  # saturation
        x *= rng.uniform(0.85, 1.15, size=3).astype(np.float32)  # white balance
        gamma = rng.uniform(0.7, 1.4)
        x = 255.0 * np.power(np.clip(x, 0, 255) / 255.0, gamma)
    if rng.random() < cfg.noise:
        sigma = rng.uniform(1.0, 8.0)
        x = x + rng.normal(0.0, sigma, size=x.shape).astype(np.float32)
    im = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < cfg.jpeg:
        buf = io.BytesIO()
        Image.fromarray(im).save(buf, format='JPEG', quality=int(rng.integers(*cfg.jpeg_quality)))
        buf.seek(0)
        im = np.asarray(Image.open(buf).convert('RGB'))
    return im


def augment(rgb: np.ndarray, depth: np.ndarray, segm: np.ndarray, cfg: AugmentConfig,
            rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One training sample: HxWx3 uint8, HxW float32 metres (0 = missing), HxW uint8 (255 void) -> the same
    at crop x crop."""
    h, w = rgb.shape[:2]
    s = float(np.exp(rng.uniform(np.log(cfg.scale_range[0]), np.log(cfg.scale_range[1]))))
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    im = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize((nw, nh), Image.BILINEAR))
    d = np.asarray(Image.fromarray(np.ascontiguousarray(depth, dtype=np.float32)).resize((nw, nh), Image.NEAREST))
    g = np.asarray(Image.fromarray(np.ascontiguousarray(segm)).resize((nw, nh), Image.NEAREST))
    d = d / s
    d = np.where(d > cfg.max_depth, 0.0, d).astype(np.float32)
    c = cfg.crop
    ph, pw = max(0, c - nh), max(0, c - nw)
    y0 = int(rng.integers(0, max(nh - c, 0) + 1))
    x0 = int(rng.integers(0, max(nw - c, 0) + 1))
    out_im = np.zeros((c, c, 3), np.uint8)
    out_d = np.zeros((c, c), np.float32)
    out_g = np.full((c, c), VOID_LABEL, np.uint8)
    # Padding sits at a random side so the network does not learn that borders are void.
    oy = int(rng.integers(0, ph + 1)) if ph else 0
    ox = int(rng.integers(0, pw + 1)) if pw else 0
    hh, ww = min(c, nh), min(c, nw)
    out_im[oy:oy + hh, ox:ox + ww] = im[y0:y0 + hh, x0:x0 + ww]
    out_d[oy:oy + hh, ox:ox + ww] = d[y0:y0 + hh, x0:x0 + ww]
    out_g[oy:oy + hh, ox:ox + ww] = g[y0:y0 + hh, x0:x0 + ww]
    if ph or pw:
        # Fill the pad with the mean colour (0 after normalisation) only where the image is absent.
        mask = np.zeros((c, c), bool)
        mask[oy:oy + hh, ox:ox + ww] = True
        out_im[~mask] = np.round(np.asarray(IMAGENET_MEAN) * 255).astype(np.uint8)
    if cfg.mirror and rng.random() < 0.5:
        out_im, out_d, out_g = out_im[:, ::-1], out_d[:, ::-1], out_g[:, ::-1]
    out_im = _photometric(np.ascontiguousarray(out_im), cfg, rng)
    return out_im, np.ascontiguousarray(out_d), np.ascontiguousarray(out_g)


_MEAN = np.asarray(IMAGENET_MEAN, np.float32)
_STD = np.asarray(IMAGENET_STD, np.float32)


def to_sample_tensors(rgb: np.ndarray, depth: np.ndarray, segm: np.ndarray, has_segm: bool,
                      has_depth: bool) -> Dict[str, torch.Tensor]:
    x = (rgb.astype(np.float32) / 255.0 - _MEAN) / _STD
    return {
        'image': torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))),
        'segm': torch.from_numpy(segm.astype(np.int64)),
        'depth': torch.from_numpy(depth.astype(np.float32)),
        'normals': torch.zeros(3, *depth.shape),
        'has_segm': torch.tensor(bool(has_segm)),
        'has_depth': torch.tensor(bool(has_depth)),
        'has_normals': torch.tensor(False),
    }
