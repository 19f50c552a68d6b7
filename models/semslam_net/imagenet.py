"""ImageNet-pretrained MobileNet-v2 weights for the encoder (the paper starts from them).

Source: TensorFlow's hosted `mobilenet_v2_1.0_224_quant` (Apache-2.0), dequantised into torchvision's key
names by shared/weights/convert.py (provenance: models/weights/PROVENANCE.md). Our encoder differs from
torchvision's in one place: the first inverted-residual block (t = 1) keeps a 1x1 expansion conv, as the
authors' definition does. Its input is the stem's ReLU6 output (already in [0, 6]), so an identity conv +
identity BN + ReLU6 reproduces torchvision's function exactly; that is what it is set to.

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.imagenet --from shared/weights/mobilenet_v2_imagenet_bncalib.pth \
      --out models/weights/mobilenet_v2_imagenet_encoder.pth      # our key names, encoder only (what ships)
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, List, Mapping, Tuple

import torch
import torch.nn as nn

from .model import JointNet

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The encoder weights that ship with the project (our key names; BN statistics measured on real photos).
DEFAULT_IMAGENET_ENCODER = os.path.join(_HERE, 'weights', 'mobilenet_v2_imagenet_encoder.pth')
# Torchvision's features.0 .. features.17 are our layer1 .. layer8; features.18 (1x1 to 1280) and the classifier
# belong to ImageNet classification only.
_TV_ENCODER_BLOCKS = 18
BN_EPS = 1e-5


class ImageNetWeightsError(ValueError):
    def __init__(self, path: str, problem: str):
        super().__init__(f'{path}: {problem}')


def _tv_block(key: str) -> int:
    parts = key.split('.')
    if parts[0] != 'features':
        return -1
    return int(parts[1])


def _encoder_keys(sd: Mapping[str, torch.Tensor]) -> List[str]:
    return [k for k in sd if k.startswith('layer') and not k.endswith('num_batches_tracked')]


def _identity_expansion_keys() -> Tuple[str, ...]:
    # layer2.0's expansion (t = 1): absent from torchvision, set to the identity.
    p = 'layer2.0.output.0.'
    return tuple(p + s for s in ('0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var'))


def torchvision_to_encoder(tv: Mapping[str, torch.Tensor], source: str = '<state_dict>') -> Dict[str, torch.Tensor]:
    """Map a torchvision-named MobileNet-v2 state_dict (features.0..17) to our encoder keys (layer1..layer8).

    Both enumerate the same tensors in the same order (conv, then its BN's weight, bias, mean, var), so the map
    walks the two lists side by side and checks every shape; the one tensor group torchvision lacks
    (layer2.0's t = 1 expansion) is set to the identity."""
    ref = JointNet().state_dict()
    ours = [k for k in _encoder_keys(ref) if k not in _identity_expansion_keys()]
    theirs = [k for k in tv if 0 <= _tv_block(k) < _TV_ENCODER_BLOCKS and not k.endswith('num_batches_tracked')]
    if len(ours) != len(theirs):
        raise ImageNetWeightsError(source, f'expected {len(ours)} encoder tensors (features.0-17), found {len(theirs)}')
    out: Dict[str, torch.Tensor] = {}
    for ok, tk in zip(ours, theirs):
        if tuple(ref[ok].shape) != tuple(tv[tk].shape):
            raise ImageNetWeightsError(source, f'{tk} has shape {tuple(tv[tk].shape)}, {ok} needs {tuple(ref[ok].shape)}')
        out[ok] = tv[tk].detach().clone().float()
    w_key, g_key, b_key, m_key, v_key = _identity_expansion_keys()
    c = ref[w_key].shape[0]
    out[w_key] = torch.eye(c).view(c, c, 1, 1)
    out[g_key] = torch.ones(c)
    out[b_key] = torch.zeros(c)
    out[m_key] = torch.zeros(c)
    out[v_key] = torch.full((c,), 1.0 - BN_EPS)
    return out


def read_encoder_weights(path: str) -> Dict[str, torch.Tensor]:
    """Encoder weights from our shipped file (layer* keys) or from a torchvision-named file (features.*)."""
    if not os.path.exists(path):
        raise ImageNetWeightsError(path, 'ImageNet weights not found (models/weights/ ships them; see its README)')
    try:
        sd = torch.load(path, map_location='cpu')
    except Exception as e:  # noqa: BLE001 - torch raises many types for a bad file
        raise ImageNetWeightsError(path, f'cannot be read as a PyTorch state_dict ({e})') from e
    if isinstance(sd, dict) and 'state_dict' in sd:
        sd = sd['state_dict']
    if not isinstance(sd, dict):
        raise ImageNetWeightsError(path, 'not a state_dict')
    if any(k.startswith('features.') for k in sd):
        return torchvision_to_encoder(sd, path)
    enc = {k: v for k, v in sd.items() if k.startswith('layer') and not k.endswith('num_batches_tracked')}
    need = set(_encoder_keys(JointNet().state_dict()))
    missing = sorted(need - set(enc))
    if missing:
        raise ImageNetWeightsError(path, f'{len(missing)} encoder tensors missing, e.g. {missing[:3]}')
    return enc


def load_imagenet_encoder(model: JointNet, path: str = DEFAULT_IMAGENET_ENCODER) -> int:
    """Fill every encoder tensor of `model` (any width-1.0 JointNet) from ImageNet weights; returns the
    number of tensors set. Raises when one would be left at its initialisation."""
    if abs(model.config.width_mult - 1.0) > 1e-9:
        raise ImageNetWeightsError(path, f'ImageNet weights exist for width 1.0 only, not {model.config.width_mult}')
    enc = read_encoder_weights(path)
    own = model.state_dict()
    need = _encoder_keys(own)
    for k in need:
        if k not in enc:
            raise ImageNetWeightsError(path, f'no weights for {k}')
        if tuple(enc[k].shape) != tuple(own[k].shape):
            raise ImageNetWeightsError(path, f'{k}: shape {tuple(enc[k].shape)}, model needs {tuple(own[k].shape)}')
    with torch.no_grad():
        for k in need:
            own[k].copy_(enc[k])
    return len(need)


class ImageNetClassifier(nn.Module):
    """Our encoder + torchvision's features.18 and classifier: the ImageNet network, used to prove the
    encoder's loading (it must still recognise photos)."""

    def __init__(self, encoder: JointNet, tv: Mapping[str, torch.Tensor]):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Conv2d(320, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6(inplace=True))
        self.fc = nn.Linear(1280, tv['classifier.1.weight'].shape[0])
        self.head[0].weight.data.copy_(tv['features.18.0.weight'])
        for n in ('weight', 'bias', 'running_mean', 'running_var'):
            getattr(self.head[1], n).data.copy_(tv[f'features.18.1.{n}'])
        self.fc.weight.data.copy_(tv['classifier.1.weight'])
        self.fc.bias.data.copy_(tv['classifier.1.bias'])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        l8 = self.encoder.encode(x)[-1]
        return self.fc(self.head(l8).mean(dim=(2, 3)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.imagenet', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--from', dest='src', required=True, help='torchvision-named MobileNet-v2 state_dict (.pth)')
    ap.add_argument('--out', default=DEFAULT_IMAGENET_ENCODER)
    a = ap.parse_args(argv)
    enc = torchvision_to_encoder(torch.load(a.src, map_location='cpu'), a.src)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save(enc, a.out)
    n = sum(v.numel() for v in enc.values())
    print(f'wrote {len(enc)} encoder tensors ({n} values) to {a.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
