"""Checkpoints: our training checkpoints and the authors' published `{'state_dict': ...}` files.

Published files may use DenseTorch names (`stem_convs`, `crp_blocks`, `adapt_convs`, `heads`), carry
DataParallel prefixes (`module.`, `module.0.` for the encoder and `module.1.` for the decoder) and, when
old, lack BatchNorm `num_batches_tracked` buffers. `normalize_state_dict` maps all of these to our keys;
`infer_model_config` reads the class count and the presence of a normals head from the keys.
"""
from __future__ import annotations

import re
from typing import Dict, Mapping, Optional, Tuple

import torch

from .config import ModelConfig, model_config_from_dict
from .model import JointNet


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read as this network; the message names the file and the problem."""

    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')
        self.path = path
        self.problem = problem


# DenseTorch decoder names -> the published multi-task-refinenet names.
_DENSETORCH_PREFIX = [
    (re.compile(r'^stem_convs\.([0-5])\.'), lambda m: f'conv{8 - int(m.group(1))}.'),
    (re.compile(r'^adapt_convs\.([0-2])\.'), lambda m: f'conv_adapt{4 - int(m.group(1))}.'),
    (re.compile(r'^crp_blocks\.([0-3])\.'), lambda m: f'crp{4 - int(m.group(1))}.'),
    (re.compile(r'^heads\.0\.0\.'), lambda m: 'pre_segm.'),
    (re.compile(r'^heads\.0\.2\.'), lambda m: 'segm.'),
    (re.compile(r'^heads\.1\.0\.'), lambda m: 'pre_depth.'),
    (re.compile(r'^heads\.1\.2\.'), lambda m: 'depth.'),
    (re.compile(r'^heads\.2\.0\.'), lambda m: 'pre_normal.'),
    (re.compile(r'^heads\.2\.2\.'), lambda m: 'normal.'),
]
_WRAPPER_PREFIXES = ('module.0.', 'module.1.', 'module.', 'encoder.', 'decoder.', 'model.')
_CRP_NO_SEQ = re.compile(r'^(crp[1-4])\.([1-9]_outvar_dimred\.)')


def _rename(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in _WRAPPER_PREFIXES:
            if key.startswith(p):
                key = key[len(p):]
                changed = True
    for pattern, repl in _DENSETORCH_PREFIX:
        m = pattern.match(key)
        if m:
            key = repl(m) + key[m.end():]
            break
    # A CRP stored without its one-element Sequential wrapper gets the `.0.` back.
    key = _CRP_NO_SEQ.sub(r'\1.0.\2', key)
    return key


def extract_state_dict(obj, path: str = '<checkpoint>') -> Dict[str, torch.Tensor]:
    """The tensor dict inside a loaded checkpoint: `obj['state_dict']`, `obj['model']`, or obj itself."""
    if isinstance(obj, Mapping):
        for k in ('state_dict', 'model'):
            if k in obj and isinstance(obj[k], Mapping):
                return dict(obj[k])
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return dict(obj)
    raise CheckpointError(path, 'not a checkpoint: expected a dict with a "state_dict" (or "model") entry of tensors')


def normalize_state_dict(sd: Mapping[str, torch.Tensor], path: str = '<checkpoint>') -> Dict[str, torch.Tensor]:
    """Rename keys to ours and add missing BN `num_batches_tracked` buffers."""
    out: Dict[str, torch.Tensor] = {}
    for k, v in sd.items():
        nk = _rename(k)
        if nk in out:
            raise CheckpointError(path, f'two keys map to "{nk}" (one is "{k}")')
        out[nk] = v
    for k in list(out.keys()):
        if k.endswith('.running_mean'):
            nbt = k[: -len('running_mean')] + 'num_batches_tracked'
            if nbt not in out:
                out[nbt] = torch.tensor(0, dtype=torch.long)
    return out


def infer_model_config(sd: Mapping[str, torch.Tensor], path: str = '<checkpoint>') -> ModelConfig:
    """Model configuration from normalised keys: class count from `segm.weight`, heads by presence,
    encoder width from `layer1.0.weight`, decoder width from `conv8.weight`."""
    if 'layer1.0.weight' not in sd or 'conv8.weight' not in sd:
        sample = ', '.join(list(sd.keys())[:5])
        raise CheckpointError(path, f'keys do not look like the MobileNet-v2 Light-Weight RefineNet (first keys: {sample})')
    stem = int(sd['layer1.0.weight'].shape[0])
    width = 1.0 if stem == 32 else round(stem / 32, 2)
    num_classes = int(sd['segm.weight'].shape[0]) if 'segm.weight' in sd else 40
    return ModelConfig(
        num_classes=num_classes,
        with_segm='segm.weight' in sd,
        with_depth='depth.weight' in sd,
        with_normals='normal.weight' in sd,
        width_mult=width,
        decoder_channels=int(sd['conv8.weight'].shape[0]),
    )


def read_checkpoint(path: str):
    """The checkpoint file's object as torch.load gives it; CheckpointError naming the file when it cannot."""
    try:
        return torch.load(path, map_location='cpu')
    except FileNotFoundError:
        raise CheckpointError(path, 'file not found') from None
    except Exception as e:  # pickle / zip errors: say what failed
        raise CheckpointError(path, f'cannot be read by torch.load ({type(e).__name__}: {e})') from None


def load_published(path: str) -> Tuple[JointNet, ModelConfig]:
    """Load any supported checkpoint file into a JointNet with strict key checking."""
    return model_from_checkpoint(read_checkpoint(path), path)


def model_from_checkpoint(obj, path: str = '<checkpoint>') -> Tuple[JointNet, ModelConfig]:
    """A JointNet (strict key checking) from a checkpoint object read by read_checkpoint."""
    sd = normalize_state_dict(extract_state_dict(obj, path), path)
    cfg = None
    if isinstance(obj, Mapping) and isinstance(obj.get('config'), Mapping) and 'model' in obj['config']:
        cfg = model_config_from_dict(obj['config']['model'])
    cfg = cfg or infer_model_config(sd, path)
    model = JointNet(cfg)
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        raise CheckpointError(path, f'state_dict does not match the network ({cfg}): {e}') from None
    return model, cfg


def save_training_checkpoint(path: str, model, optimizer=None, scheduler=None, step: int = 0,
                             config: Optional[dict] = None, extra: Optional[dict] = None) -> None:
    """Full checkpoint (model, optimiser, scheduler, step, config); `state_dict` key as the published
    files so the same loader reads both. Written atomically (tmp + rename)."""
    import os
    payload = {
        'state_dict': model.state_dict(),
        'optimizer': optimizer.state_dict() if optimizer is not None else None,
        'scheduler': scheduler.state_dict() if scheduler is not None else None,
        'step': step,
        'config': config or {},
    }
    if extra:
        payload.update(extra)
    tmp = path + '.tmp'
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(payload, tmp)
    os.replace(tmp, path)
