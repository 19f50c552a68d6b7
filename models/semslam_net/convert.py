"""Convert the authors' published checkpoints (or ours) to our ONNX contract (see export.py).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.convert CKPT --out FILE.onnx

Accepts `{'state_dict': ...}` files with the published names, DenseTorch names
(`stem_convs/crp_blocks/adapt_convs/heads.*`), `module.` / `module.0.` / `module.1.` prefixes, and old files
without BatchNorm `num_batches_tracked`. The class count and the normals head are read from the keys.

The frame size the network was trained at goes into the metadata (`input_size`, which the app runs it at): from
`--input-size WxH`, else from our own checkpoints' training record (the pre-decoded cache size). Without it the app
feeds the nearest multiple of 32 (320x256 for 320x240 frames): measured on seven rgb-mode sequences, the same
weights moved each trajectory by about 1 cm (run r6's record).
"""
from __future__ import annotations

import argparse
import json
import sys

from .checkpoint import CheckpointError, model_from_checkpoint, read_checkpoint
from .export import ONNX_OPSET, export_onnx, parse_input_size


def trained_input_size(obj) -> str | None:
    """'WxH' of the frames one of our training checkpoints was trained on, when its record says (cache size)."""
    cache = ((obj.get('config') or {}).get('data') or {}).get('cache_size') if isinstance(obj, dict) else None
    if isinstance(cache, (list, tuple)) and len(cache) == 2:
        return f'{int(cache[0])}x{int(cache[1])}'
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.convert', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint', help='checkpoint file (.ckpt / .pth / .pt)')
    ap.add_argument('--out', required=True, help='output .onnx file')
    ap.add_argument('--opset', type=int, default=ONNX_OPSET)
    ap.add_argument('--input-size', default=None,
                    help="frame size the network was trained at, WxH (default: from our checkpoints' training record)")
    args = ap.parse_args(argv)
    if args.input_size is not None:
        try:
            parse_input_size(args.input_size)
        except ValueError as e:
            print(f'error: --input-size: {e}', file=sys.stderr)
            return 2
    try:
        obj = read_checkpoint(args.checkpoint)
        model, cfg = model_from_checkpoint(obj, args.checkpoint)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    input_size = args.input_size or trained_input_size(obj)
    meta = export_onnx(model, args.out, training_info={'converted_from': args.checkpoint},
                       source=f'converted {args.checkpoint}', opset=args.opset, input_size=input_size)
    print(json.dumps({'out': args.out, 'checkpoint': args.checkpoint, 'num_classes': cfg.num_classes,
                      'outputs': json.loads(meta['outputs']), 'input_size': input_size}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
