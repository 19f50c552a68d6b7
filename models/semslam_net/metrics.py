"""Evaluation metrics as accumulators (reset / update / compute), as in torchvision references."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, List, Optional

import numpy as np

from .config import VOID_LABEL

# Depth predictions are clamped to this range before the log metrics (NYUD's sensor range).
DEPTH_MIN_M = 1e-3
DEPTH_MAX_M = 10.0


@dataclass(frozen=True)
class SegmentationMetrics:
    miou: float  # mean IoU over classes present in the ground truth; higher is better
    pixel_acc: float  # higher is better
    mean_class_acc: float  # higher is better
    per_class_iou: Dict[str, Optional[float]]  # None for classes absent from the ground truth
    pixels: int


@dataclass(frozen=True)
class DepthMetrics:
    rmse: float  # metres, lower is better
    rmse_log: float  # lower is better
    abs_rel: float  # lower is better
    sqr_rel: float  # lower is better
    log10: float  # lower is better
    delta1: float  # fraction with max(p/g, g/p) < 1.25; higher is better
    delta2: float  # < 1.25^2
    delta3: float  # < 1.25^3
    pixels: int


class ConfusionMatrix:
    def __init__(self, num_classes: int):
        self.num_classes = num_classes
        self.reset()

    def reset(self) -> None:
        self.mat = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)

    def update(self, pred: np.ndarray, gt: np.ndarray) -> None:
        valid = (gt != VOID_LABEL) & (gt < self.num_classes)
        idx = gt[valid].astype(np.int64) * self.num_classes + pred[valid].astype(np.int64)
        self.mat += np.bincount(idx, minlength=self.num_classes ** 2).reshape(self.num_classes, self.num_classes)

    def compute(self, class_names: List[str]) -> SegmentationMetrics:
        m = self.mat.astype(np.float64)
        tp = np.diag(m)
        gt_count = m.sum(1)
        union = gt_count + m.sum(0) - tp
        present = gt_count > 0
        iou = np.where(present, tp / np.maximum(union, 1), np.nan)
        total = m.sum()
        return SegmentationMetrics(
            miou=float(np.nanmean(iou)) if present.any() else float('nan'),
            pixel_acc=float(tp.sum() / total) if total else float('nan'),
            mean_class_acc=float(np.mean(tp[present] / gt_count[present])) if present.any() else float('nan'),
            per_class_iou={class_names[c]: (None if np.isnan(iou[c]) else float(iou[c])) for c in range(self.num_classes)},
            pixels=int(total),
        )


class DepthErrors:
    """Pooled over every valid pixel (gt > 0) of the set (Eigen et al.'s convention)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.n = 0
        self.sums = dict(sq=0.0, sq_log=0.0, abs_rel=0.0, sqr_rel=0.0, log10=0.0, d1=0, d2=0, d3=0)

    def update(self, pred_m: np.ndarray, gt_m: np.ndarray) -> None:
        valid = gt_m > 0
        if not valid.any():
            return
        p = np.clip(np.abs(pred_m[valid].astype(np.float64)), DEPTH_MIN_M, DEPTH_MAX_M)
        g = gt_m[valid].astype(np.float64)
        d = p - g
        ratio = np.maximum(p / g, g / p)
        s = self.sums
        s['sq'] += float((d * d).sum())
        s['sq_log'] += float(((np.log(p) - np.log(g)) ** 2).sum())
        s['abs_rel'] += float((np.abs(d) / g).sum())
        s['sqr_rel'] += float((d * d / g).sum())
        s['log10'] += float(np.abs(np.log10(p) - np.log10(g)).sum())
        s['d1'] += int((ratio < 1.25).sum())
        s['d2'] += int((ratio < 1.25 ** 2).sum())
        s['d3'] += int((ratio < 1.25 ** 3).sum())
        self.n += int(valid.sum())

    def compute(self) -> DepthMetrics:
        n = max(self.n, 1)
        s = self.sums
        nan = float('nan')
        return DepthMetrics(
            rmse=float(np.sqrt(s['sq'] / n)) if self.n else nan,
            rmse_log=float(np.sqrt(s['sq_log'] / n)) if self.n else nan,
            abs_rel=s['abs_rel'] / n if self.n else nan,
            sqr_rel=s['sqr_rel'] / n if self.n else nan,
            log10=s['log10'] / n if self.n else nan,
            delta1=s['d1'] / n if self.n else nan,
            delta2=s['d2'] / n if self.n else nan,
            delta3=s['d3'] / n if self.n else nan,
            pixels=self.n,
        )


def metrics_to_dict(m) -> dict:
    return asdict(m)
