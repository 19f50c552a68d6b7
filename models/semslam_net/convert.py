"""Convert the authors' published checkpoints (or ours) to our ONNX contract (see export.py).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.convert CKPT --out FILE.onnx

Accepts `{'state_dict': ...}` files with the published names, DenseTorch names
(`stem_convs/crp_blocks/adapt_convs/heads.*`), `module.` / `module.0.` / `module.1.` prefixes, and old files
without BatchNorm `num_batches_tracked`. The class count and the normals head are read from the keys.
"""
from __future__ import annotations

import argparse
import json
import sys

from .checkpoint import CheckpointError, load_published
from .export import ONNX_OPSET, export_onnx


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.convert', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint', help='checkpoint file (.ckpt / .pth / .pt)')
    ap.add_argument('--out', required=True, help='output .onnx file')
    ap.add_argument('--opset', type=int, default=ONNX_OPSET)
    args = ap.parse_args(argv)
    try:
        model, cfg = load_published(args.checkpoint)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    meta = export_onnx(model, args.out, training_info={'converted_from': args.checkpoint},
                       source=f'converted {args.checkpoint}', opset=args.opset)
    print(json.dumps({'out': args.out, 'checkpoint': args.checkpoint, 'num_classes': cfg.num_classes,
                      'outputs': json.loads(meta['outputs'])}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
