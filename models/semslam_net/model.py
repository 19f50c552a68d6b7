"""The paper's joint network: MobileNet-v2 encoder + Light-Weight RefineNet decoder + task heads.

Module names mirror the authors' published definition (DrSleep/multi-task-refinenet, src/models.py) so
that `state_dict()` keys and shapes match the published checkpoints exactly (see
shared/reference/network.md); with the default ModelConfig the parameter count is 3,070,057.
"""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import DEFAULT_MODEL, ModelConfig

# MobileNet-v2 stages layer2..layer8: (expansion t, channels c, blocks n, first stride s).
MOBILENET_V2_STAGES: Tuple[Tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
)
STEM_CHANNELS = 32
INIT_SCHEMES = ('paper', 'kaiming')
CRP_STAGES = 4


def _make_divisible(v: float, divisor: int = 8) -> int:
    """Channel rounding of MobileNet-v2 width multipliers (as in the MobileNet-v2 paper's code)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _scaled(c: int, width_mult: float) -> int:
    return c if width_mult == 1.0 else _make_divisible(c * width_mult)


def conv1x1(cin: int, cout: int, groups: int = 1, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=1, stride=1, padding=0, groups=groups, bias=bias)


def conv3x3(cin: int, cout: int, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, stride=1, padding=1, bias=bias)


def conv_bn_relu(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    """Conv (no bias) + BN (+ ReLU6); as a Sequential so keys read `<name>.0.weight`, `<name>.1.*`."""
    layers: List[nn.Module] = [
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1),
    ]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidualBlock(nn.Module):
    """MobileNet-v2 block; the 1x1 expansion exists even for t = 1 (unlike torchvision)."""

    def __init__(self, cin: int, cout: int, expansion: int, stride: int):
        super().__init__()
        mid = cin * expansion
        self.residual = stride == 1 and cin == cout
        self.output = nn.Sequential(
            conv_bn_relu(cin, mid, 1),
            conv_bn_relu(mid, mid, 3, stride=stride, groups=mid),
            conv_bn_relu(mid, cout, 1, act=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.output(x)
        return out + x if self.residual else out


# Initial scale of the CRP convs relative to variance-preserving (init 'kaiming'; see JointNet.reset_parameters).
CRP_INIT_SCALE = 0.1


class CRPBlock(nn.Module):
    """Chained residual pooling: 4 x (maxpool 5x5 -> 1x1 conv -> add); no activation inside.

    Sub-conv names `1_outvar_dimred` .. `4_outvar_dimred` are the published ones. depthwise=True is the
    paper's change for the last CRP (crp1), halving the decoder FLOPs.
    """

    def __init__(self, channels: int, stages: int = CRP_STAGES, depthwise: bool = False):
        super().__init__()
        self.stages = stages
        for i in range(stages):
            setattr(self, f'{i + 1}_outvar_dimred', conv1x1(channels, channels, groups=channels if depthwise else 1))
        self.maxpool = nn.MaxPool2d(kernel_size=5, stride=1, padding=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        top = x
        for i in range(self.stages):
            top = self.maxpool(top)
            top = getattr(self, f'{i + 1}_outvar_dimred')(top)
            x = top + x
        return x


def _crp(channels: int, depthwise: bool) -> nn.Sequential:
    # A one-element Sequential, hence the `.0.` in the published keys (`crp4.0.1_outvar_dimred.weight`).
    return nn.Sequential(CRPBlock(channels, CRP_STAGES, depthwise))


def _upsample_to(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    # Targets the skip feature's actual size so any input size works (and exports with dynamic shapes).
    return F.interpolate(x, size=like.shape[2:], mode='bilinear', align_corners=False)


class JointNet(nn.Module):
    """Joint segmentation + depth (+ normals) network. forward returns a tuple in the order
    (segm, depth[, normals]) restricted to the configured tasks, each at 1/4 of the input resolution."""

    def __init__(self, config: ModelConfig = DEFAULT_MODEL):
        super().__init__()
        self.config = config
        w = config.width_mult
        d = config.decoder_channels
        cin = _scaled(STEM_CHANNELS, w)
        self.layer1 = conv_bn_relu(3, cin, 3, stride=2)
        stage_out: List[int] = []
        for k, (t, c, n, s) in enumerate(MOBILENET_V2_STAGES):
            cout = _scaled(c, w)
            blocks = []
            for i in range(n):
                blocks.append(InvertedResidualBlock(cin, cout, t, s if i == 0 else 1))
                cin = cout
            setattr(self, f'layer{k + 2}', nn.Sequential(*blocks))
            stage_out.append(cout)
        l2, l3, l4, l5, l6, l7, l8 = stage_out
        self.encoder_channels = tuple(stage_out)
        self.conv8 = conv1x1(l8, d)
        self.conv7 = conv1x1(l7, d)
        self.conv6 = conv1x1(l6, d)
        self.conv5 = conv1x1(l5, d)
        self.conv4 = conv1x1(l4, d)
        self.conv3 = conv1x1(l3, d)
        self.crp4 = _crp(d, depthwise=False)
        self.crp3 = _crp(d, depthwise=False)
        self.crp2 = _crp(d, depthwise=False)
        self.crp1 = _crp(d, depthwise=True)
        self.conv_adapt4 = conv1x1(d, d)
        self.conv_adapt3 = conv1x1(d, d)
        self.conv_adapt2 = conv1x1(d, d)
        # Registration order follows the published file (depth head before segm); order does not matter
        # for strict loading but keeps state_dict listings comparable.
        if config.with_depth:
            self.pre_depth = conv1x1(d, d, groups=d)
            self.depth = conv3x3(d, 1, bias=True)
        if config.with_segm:
            self.pre_segm = conv1x1(d, d, groups=d)
            self.segm = conv3x3(d, config.num_classes, bias=True)
        if config.with_normals:
            self.pre_normal = conv1x1(d, d, groups=d)
            self.normal = conv3x3(d, 3, bias=True)
        self.relu = nn.ReLU6(inplace=True)
        self.reset_parameters()

    def reset_parameters(self, scheme: str = 'paper') -> None:
        """'paper': as the authors, conv weights N(0, 0.01), biases 0; BN weight 1, bias 0.
        'kaiming': for training from scratch (no ImageNet weights can be fetched here): He-normal (fan_out)
        encoder convs, as torchvision's MobileNet-v2 (BN follows each); variance-preserving (fan_in) decoder convs,
        the decoder having no BN; and the chained-residual-pooling convs at a tenth of that, so that each CRP
        block starts close to the identity. At full scale the four max-pool chains of every CRP block swamp the
        fine 1/4 features and the network stays at the class prior (measured: one batch of 8 frames, Adam, 60
        steps: cross-entropy 1.70 at full CRP scale vs 0.14 at 0.1). Task outputs start small (N(0, 0.01))."""
        if scheme not in INIT_SCHEMES:
            raise ValueError(f'init scheme must be one of {INIT_SCHEMES}, got {scheme!r}')
        encoder = {id(p) for mod in self.encoder_modules() for p in mod.parameters()}
        for name, m in self.named_modules():
            if isinstance(m, nn.Conv2d):
                if scheme == 'paper':
                    nn.init.normal_(m.weight, 0.0, 0.01)
                elif m.bias is not None:
                    # Task outputs (the only biased convs) stay small so the first losses are sane.
                    nn.init.normal_(m.weight, 0.0, 0.01)
                elif id(m.weight) in encoder:
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                else:
                    nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='linear')
                    if name.endswith('_outvar_dimred'):
                        m.weight.data.mul_(CRP_INIT_SCALE)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
                m.reset_running_stats()

    def encoder_modules(self) -> List[nn.Module]:
        return [getattr(self, f'layer{k}') for k in range(1, 9)]

    def encode(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.layer1(x)
        x = self.layer2(x)  # 1/2
        l3 = self.layer3(x)  # 1/4
        l4 = self.layer4(l3)  # 1/8
        l5 = self.layer5(l4)  # 1/16
        l6 = self.layer6(l5)  # 1/16
        l7 = self.layer7(l6)  # 1/32
        l8 = self.layer8(l7)  # 1/32
        return l3, l4, l5, l6, l7, l8

    def decode(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        l3, l4, l5, l6, l7, l8 = feats
        y = self.relu(self.conv8(l8) + self.conv7(l7))
        y = self.conv_adapt4(self.crp4(y))
        y = _upsample_to(y, l6)
        y = self.relu(self.conv5(l5) + self.conv6(l6) + y)
        y = self.conv_adapt3(self.crp3(y))
        y = _upsample_to(y, l4)
        y = self.relu(self.conv4(l4) + y)
        y = self.conv_adapt2(self.crp2(y))
        y = _upsample_to(y, l3)
        y = self.relu(self.conv3(l3) + y)
        return self.crp1(y)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        y = self.decode(self.encode(x))
        outs: List[torch.Tensor] = []
        if self.config.with_segm:
            outs.append(self.segm(self.relu(self.pre_segm(y))))
        if self.config.with_depth:
            outs.append(self.depth(self.relu(self.pre_depth(y))))
        if self.config.with_normals:
            outs.append(self.normal(self.relu(self.pre_normal(y))))
        return tuple(outs)

    def head_names(self) -> Tuple[str, ...]:
        """Module-name prefixes of each task head, by task."""
        return self.config.tasks()


# Head module names per task; used to split parameters into groups and for partial updates.
HEAD_MODULES = {'segm': ('pre_segm', 'segm'), 'depth': ('pre_depth', 'depth'), 'normals': ('pre_normal', 'normal')}


def count_parameters(model: nn.Module) -> int:
    """Conv weights, biases and BN gamma/beta (running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters())


def build_model(config: ModelConfig = DEFAULT_MODEL) -> JointNet:
    return JointNet(config)


def parameter_groups(model: JointNet):
    """Split parameters into encoder / decoder / per-task heads (name lists), for per-group LRs and
    scheme-dependent updates."""
    groups = {'encoder': [], 'decoder': [], 'segm': [], 'depth': [], 'normals': []}
    head_prefix = {m: task for task, mods in HEAD_MODULES.items() for m in mods}
    for name, p in model.named_parameters():
        top = name.split('.', 1)[0]
        if top.startswith('layer'):
            groups['encoder'].append((name, p))
        elif top in head_prefix:
            groups[head_prefix[top]].append((name, p))
        else:
            groups['decoder'].append((name, p))
    return groups
