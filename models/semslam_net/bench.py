"""Speed figures on this machine: forward time per image (eval, batch 1) and training throughput
(forward + backward + SGD step, images/s). Prints one JSON document; progress on stderr.

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.bench [--threads 2] [--sizes 240x320,480x640]
      [--train-crops 350,160] [--batch-size 8] [--repeats 5]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

from .config import DEFAULT_MODEL, DEFAULT_TEACHER, DEFAULT_TRAIN
from .losses import berhu_loss, segmentation_loss
from .model import JointNet, count_parameters
from .train import build_optimizer


def conv_macs(model: JointNet, h: int, w: int) -> int:
    """Multiply-accumulates of every convolution at input size h x w (hooks on a real forward)."""
    total = [0]

    def hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out.numel() * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, h, w))
    for x in hs:
        x.remove()
    return total[0]


def time_forward(model: JointNet, h: int, w: int, repeats: int) -> dict:
    x = torch.randn(1, 3, h, w)
    model.eval()
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        c0 = time.process_time()
        for _ in range(repeats):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
        cpu = (time.process_time() - c0) / repeats
    times.sort()
    # cpu_ms: CPU time (all threads) per image; on a shared machine wall time inflates with other load,
    # CPU time much less, so cpu_ms / threads estimates the uncontended wall time.
    return {'size': f'{w}x{h}', 'median_ms': round(1000 * times[len(times) // 2], 1), 'min_ms': round(1000 * times[0], 1),
            'cpu_ms': round(1000 * cpu, 1), 'load_avg_1m': round(os.getloadavg()[0], 1)}


def time_train(model: JointNet, crop: int, batch: int, steps: int) -> dict:
    opt = build_optimizer(model, DEFAULT_TRAIN)
    x = torch.randn(batch, 3, crop, crop)
    segm = torch.randint(0, model.config.num_classes, (batch, crop, crop))
    depth = torch.rand(batch, crop, crop) * 5 + 0.5
    model.train()

    def step():
        outs = model(x)
        loss = 0.5 * segmentation_loss(outs[0], segm)
        if len(outs) > 1:
            loss = loss + 0.5 * berhu_loss(outs[1], depth)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    t = time.perf_counter()
    c0 = time.process_time()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t
    cpu = time.process_time() - c0
    return {'crop': crop, 'batch': batch, 'images_per_s': round(batch * steps / dt, 2), 's_per_step': round(dt / steps, 2),
            'cpu_s_per_image': round(cpu / (batch * steps), 3), 'load_avg_1m': round(os.getloadavg()[0], 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.bench', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--sizes', default='240x320,480x640', help='HxW list for the forward timing')
    ap.add_argument('--train-crops', default='350,160')
    ap.add_argument('--batch-size', type=int, default=8)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--train-steps', type=int, default=3)
    ap.add_argument('--teacher', action='store_true', help='also time the teacher network')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    res = {'threads': a.threads, 'torch': torch.__version__, 'forward': [], 'train': []}
    nets = [('joint', JointNet(DEFAULT_MODEL))] + ([('teacher', JointNet(DEFAULT_TEACHER))] if a.teacher else [])
    for name, m in nets:
        res.setdefault('params', {})[name] = count_parameters(m)
        res.setdefault('gmacs_640x480', {})[name] = round(conv_macs(m, 480, 640) / 1e9, 3)
        for s in a.sizes.split(','):
            h, w = (int(v) for v in s.split('x'))
            r = time_forward(m, h, w, a.repeats)
            r['net'] = name
            print(f'forward {name} {r}', file=sys.stderr, flush=True)
            res['forward'].append(r)
        for c in a.train_crops.split(','):
            r = time_train(m, int(c), a.batch_size, a.train_steps)
            r['net'] = name
            print(f'train {name} {r}', file=sys.stderr, flush=True)
            res['train'].append(r)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
