"""Configuration records for the joint network, its data pipeline and its training.

One record per concern, each with a module-level DEFAULT_* instance; command-line tools build their
argument defaults from these records so that no default is written twice. Records are frozen
dataclasses (no side effects on construction); use dataclasses.replace to derive variants.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from typing import Optional, Tuple

# ImageNet statistics used by the authors (network.md, "Pre- and post-processing").
IMAGENET_MEAN: Tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: Tuple[float, float, float] = (0.229, 0.224, 0.225)
VOID_LABEL = 255
# NYUD depth PNGs store metres x 5000; 0 = missing.
DEPTH_PNG_SCALE = 5000.0

_CLASSES_JSON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'classes', 'nyu-classes.json')


def nyu40_class_names() -> Tuple[str, ...]:
    """The 40 NYUDv2 class names, read from the shared class table (models/classes/nyu-classes.json)."""
    with open(_CLASSES_JSON, 'r', encoding='utf8') as f:
        return tuple(json.load(f)['nyu40'])


def class_names_for(num_classes: int) -> Tuple[str, ...]:
    """Names for a class count: the NYU40 names for 40 classes, generic names otherwise."""
    if num_classes == 40:
        return nyu40_class_names()
    return tuple(f'class{i}' for i in range(num_classes))


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of the joint network.

    width_mult scales the MobileNet-v2 encoder (1.0 = the paper's network; 1.4 = the wider teacher);
    decoder_channels is the Light-Weight RefineNet width (256 in the paper). Only width 1.0 with 256
    decoder channels matches the published state_dict shapes.
    """
    num_classes: int = 40
    with_depth: bool = True
    with_normals: bool = False
    with_segm: bool = True
    width_mult: float = 1.0
    decoder_channels: int = 256

    def tasks(self) -> Tuple[str, ...]:
        """Task names in the network's return order."""
        out = []
        if self.with_segm:
            out.append('segm')
        if self.with_depth:
            out.append('depth')
        if self.with_normals:
            out.append('normals')
        return tuple(out)


DEFAULT_MODEL = ModelConfig()
# The teacher for the asymmetric-annotation recipe: segmentation only, wider encoder.
DEFAULT_TEACHER = ModelConfig(with_depth=False, width_mult=1.4)


@dataclass(frozen=True)
class DataConfig:
    """Training-time data pipeline: random square crop (padded with void / missing depth when the
    image is smaller), random horizontal mirror, ImageNet normalisation."""
    crop: int = 350
    mirror: bool = True
    mean: Tuple[float, float, float] = IMAGENET_MEAN
    std: Tuple[float, float, float] = IMAGENET_STD
    # Optional resize of whole images before cropping (1.0 = native resolution, as the authors train).
    scale: float = 1.0
    # Train from pre-decoded, memory-mapped frames of this size (W, H) with models/semslam_net/augment.py (the
    # paper's scale 0.5-2 + crop + mirror, and photometric changes); None = the folder reader above.
    cache_size: Optional[Tuple[int, int]] = None
    scale_range: Tuple[float, float] = (0.5, 2.0)
    photometric: bool = True


DEFAULT_DATA = DataConfig()

# Supervision schemes of Table III.
SCHEMES = ('joint', 'blitznet', 'ubernet')


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (network.md, "Training recipe")."""
    # From scratch (init 'kaiming', the default here): one rate for the whole network; 1e-2 on the BN-free
    # decoder diverges. The paper's 1e-3 encoder / 1e-2 decoder are for an ImageNet encoder and init 'paper'.
    lr_encoder: float = 5e-3
    lr_decoder: float = 5e-3
    momentum: float = 0.9
    # 'sgd' (the paper) or 'adam' (training from scratch on a small compute budget; see train.build_optimizer).
    optimizer: str = 'sgd'
    weight_decay: float = 1e-5
    # Weight of the segmentation loss; depth gets 1 - lambda_segm (network.md: lambda = 0.5).
    lambda_segm: float = 0.5
    # Normals head learning rate multiplier (network.md: 10x).
    normals_lr_mult: float = 10.0
    # Which losses train the network: 'segm', 'depth', 'normals' (subset of the model's tasks).
    losses: Tuple[str, ...] = ('segm', 'depth')
    # 'joint' = every loss on every batch; 'blitznet' = a branch updates whenever its label is present;
    # 'ubernet' = task gradients accumulate until ubernet_task_every labelled examples of that task
    # were seen, shared (encoder/decoder) weights step every ubernet_shared_every examples.
    scheme: str = 'joint'
    ubernet_task_every: int = 10
    ubernet_shared_every: int = 30
    # Freeze BatchNorm running statistics (the paper does; only sensible from a pre-trained encoder).
    freeze_bn: bool = False
    # Weight init of a network trained from scratch: 'paper' (N(0, 0.01)) or 'kaiming' (see model.py).
    init: str = 'kaiming'
    batch_size: int = 8
    max_steps: Optional[int] = None
    epochs: Optional[int] = None
    # Polynomial LR decay power over the run (0 = constant LR).
    poly_power: float = 0.9
    seed: int = 0
    threads: int = 2
    device: str = 'auto'
    log_every: int = 10
    checkpoint_every: int = 200
    num_workers: int = 0
    # ImageNet encoder weights loaded after init (None = none; the train CLI and recipe default to the shipped file).
    imagenet: Optional[str] = None
    # Encoder layers below this index are frozen (1 = all of layer1..layer8 train; 9 = the encoder is frozen).
    train_encoder_from: int = 1
    # 'fixed' = lambda_segm / (1 - lambda_segm) (times depth_weight); 'uncertainty' = learned per-task weights
    # (Kendall et al., CVPR 2018): sum_t exp(-s_t) L_t + s_t, s_t trained with the decoder.
    balance: str = 'fixed'
    depth_weight: float = 1.0
    # Also save OUT/last.ckpt after this many minutes of training (whatever the step count).
    checkpoint_minutes: float = 5.0
    # Wall-clock budget of a phase (0 = none): after warm-up the step count is fitted to it, so that the
    # polynomial LR decay still reaches zero when the time is up (a borrowed GPU, a session's end).
    max_minutes: float = 0.0


DEFAULT_TRAIN = TrainConfig()


def config_to_dict(cfg) -> dict:
    return asdict(cfg)


def model_config_from_dict(d: dict) -> ModelConfig:
    known = {k: v for k, v in d.items() if k in ModelConfig.__dataclass_fields__}
    return ModelConfig(**known)


__all__ = [
    'IMAGENET_MEAN', 'IMAGENET_STD', 'VOID_LABEL', 'DEPTH_PNG_SCALE', 'ModelConfig', 'DataConfig', 'TrainConfig',
    'DEFAULT_MODEL', 'DEFAULT_TEACHER', 'DEFAULT_DATA', 'DEFAULT_TRAIN', 'SCHEMES', 'nyu40_class_names',
    'class_names_for', 'config_to_dict', 'model_config_from_dict', 'replace', 'field',
]
