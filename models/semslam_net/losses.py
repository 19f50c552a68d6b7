"""Task losses (network.md, "Training recipe"). Every loss upsamples the prediction bilinearly to the
label's size first, as the authors do."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .config import VOID_LABEL

BERHU_C_FRACTION = 0.2


def upsample_to(pred: torch.Tensor, size) -> torch.Tensor:
    if tuple(pred.shape[-2:]) == tuple(size):
        return pred
    return F.interpolate(pred, size=tuple(size), mode='bilinear', align_corners=False)


def segmentation_loss(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = VOID_LABEL) -> torch.Tensor:
    """Cross-entropy over non-void pixels (mean). Zero (keeping the graph) when every pixel is void."""
    logits = upsample_to(logits, target.shape[-2:])
    if not bool((target != ignore_index).any()):
        return logits.sum() * 0.0
    return F.cross_entropy(logits, target.long(), ignore_index=ignore_index)


def berhu_loss(pred: torch.Tensor, target: torch.Tensor, c_fraction: float = BERHU_C_FRACTION) -> torch.Tensor:
    """Inverse Huber over valid pixels (target > 0): |d| where |d| <= c, else (d^2 + c^2) / (2c),
    c = 0.2 * max|d| over the batch's valid pixels (treated as a constant). pred [B,1,h,w], target [B,H,W]."""
    pred = upsample_to(pred, target.shape[-2:])[:, 0]
    valid = target > 0
    if not bool(valid.any()):
        return pred.sum() * 0.0
    diff = pred[valid] - target[valid]
    adiff = diff.abs()
    c = (c_fraction * adiff.max()).detach()
    if float(c) == 0.0:
        return adiff.mean()
    quad = (diff * diff + c * c) / (2 * c)
    return torch.where(adiff <= c, adiff, quad).mean()


def normals_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Negative cosine between L2-normalised prediction and target over valid pixels (target norm > 0).
    pred [B,3,h,w], target [B,3,H,W]."""
    pred = upsample_to(pred, target.shape[-2:])
    valid = target.norm(dim=1) > 1e-6
    if not bool(valid.any()):
        return pred.sum() * 0.0
    p = F.normalize(pred, dim=1)
    t = F.normalize(target, dim=1)
    return -(p * t).sum(dim=1)[valid].mean()
