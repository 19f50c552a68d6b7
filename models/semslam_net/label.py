"""Let a (teacher) network label a folder for segmentation: hard labels (argmax, not logits), written
as 8-bit PNGs `DIR/teacher/segm_NNNNNN.png` (read back with `--data DIR@teacher`).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.label --checkpoint TEACHER.ckpt --data S1_DIR
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Optional

import numpy as np
import torch
from PIL import Image

from .config import DEFAULT_DATA
from .data import TEACHER_DIR, LabelledFolder, segm_path
from .evaluate import predict
from .model import JointNet


def label_folder(model: JointNet, root: str, device: str = 'cpu', out_dir: Optional[str] = None,
                 log=sys.stderr, scale: float = 1.0, min_confidence: float = 0.0) -> dict:
    """Write hard labels for every frame of `root`; returns {'images', 'seconds', 'out_dir', 'labelled_fraction'}.
    Pixels where the teacher's softmax maximum is below `min_confidence` become void (255): on images unlike its
    training data (real photos for a teacher trained on rendered rooms) only its confident guesses teach."""
    if not model.config.with_segm:
        raise ValueError('the labelling network has no segmentation head')
    model = model.eval().to(device)
    ds = LabelledFolder(root, DEFAULT_DATA, train=False, segm_source='none', with_depth=False)
    out_dir = out_dir or os.path.join(root, TEACHER_DIR)
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    kept = 0.0
    for k, i in enumerate(ds.ids):
        t = ds[k]
        p = predict(model, t['image'][None].to(device), t['image'].shape[1:], scale, with_confidence=min_confidence > 0)
        lab = p['segm']
        if min_confidence > 0:
            lab = np.where(p['confidence'] >= min_confidence, lab, 255).astype(np.uint8)
        kept += float((lab != 255).mean())
        path = os.path.join(out_dir, os.path.basename(segm_path(root, i, 'teacher')))
        Image.fromarray(lab.astype(np.uint8), mode='L').save(path)
        if (k + 1) % 20 == 0 or k + 1 == len(ds):
            rate = (k + 1) / (time.time() - t0)
            print(f'[label] {k + 1}/{len(ds)} {rate:.2f} img/s ETA {(len(ds) - k - 1) / rate:.0f}s', file=log, flush=True)
    return {'images': len(ds), 'seconds': round(time.time() - t0, 2), 'out_dir': out_dir,
            'min_confidence': min_confidence, 'labelled_fraction': round(kept / max(len(ds), 1), 4)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.label', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True, help='teacher checkpoint')
    ap.add_argument('--data', required=True, help='folder to label (depth-only S1)')
    ap.add_argument('--out-dir', default=None, help=f'default DIR/{TEACHER_DIR}')
    ap.add_argument('--scale', type=float, default=1.0, help='resize frames before the network (as trained)')
    ap.add_argument('--min-confidence', type=float, default=0.0, help='void where the softmax max is below this')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args(argv)
    from .checkpoint import CheckpointError, load_published
    from .train import resolve_device
    torch.set_num_threads(a.threads)
    try:
        model, _ = load_published(a.checkpoint)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(json.dumps(label_folder(model, a.data, resolve_device(a.device), a.out_dir, scale=a.scale,
                                  min_confidence=a.min_confidence)))
    return 0


if __name__ == '__main__':
    sys.exit(main())


def label_folder_onnx(checkpoint: str, root: str, min_confidence: float = 0.0, log=sys.stderr,
                      threads: int = 2) -> dict:
    """The same labels through onnxruntime-node (models/scripts/label_onnx.mjs): ~15x faster than torch's forward
    pass on this CPU. Exports the teacher next to its checkpoint first (once)."""
    import subprocess
    from .checkpoint import load_published
    from .export import export_onnx
    onnx_path = os.path.splitext(checkpoint)[0] + '.onnx'
    if not os.path.exists(onnx_path) or os.path.getmtime(onnx_path) < os.path.getmtime(checkpoint):
        model, _ = load_published(checkpoint)
        export_onnx(model, onnx_path, source=f'teacher {checkpoint}')
    script = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'scripts', 'label_onnx.mjs')
    res = subprocess.run(['node', script, '--model', onnx_path, '--data', root, '--min-confidence', str(min_confidence),
                          '--threads', str(threads)], stdout=subprocess.PIPE, stderr=log, text=True)
    if res.returncode != 0:
        raise RuntimeError(f'{script} failed on {root} (exit {res.returncode}); is node with onnxruntime-node installed (npm ci)?')
    return json.loads(res.stdout.strip().splitlines()[-1])
