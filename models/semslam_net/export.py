"""Export the joint network to ONNX for the app (onnxruntime-node).

Contract (shared with main/perception):
  input  `image`   float32 [1, 3, H, W], RGB already ImageNet-normalised ((x/255 - mean) / std), H and W dynamic
  output `segm`    float32 [1, C, ceil(H/4), ceil(W/4)] logits (C = 40 for NYUDv2)
  output `depth`   float32 [1, 1, ceil(H/4), ceil(W/4)] raw (the app takes abs(), metres)
  output `normals` float32 [1, 3, ceil(H/4), ceil(W/4)] (three-task networks only)
  metadata_props: semslam.format, class_names (JSON), num_classes, input_mean, input_std (JSON),
  outputs (JSON), output_stride, training (JSON, when known), source, and input_size ("WxH", the frame
  size the network was trained at; the app runs it at that size unless told otherwise).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.export (--checkpoint CKPT | --random-init [--seed N])
      [--classes 40] [--normals] --out FILE.onnx
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

import torch

from .config import IMAGENET_MEAN, IMAGENET_STD, ModelConfig, class_names_for
from .model import JointNet

ONNX_OPSET = 13
ONNX_FORMAT = 'semslam-joint-v1'
OUTPUT_NAMES = {'segm': 'segm', 'depth': 'depth', 'normals': 'normals'}


class _ExportWrapper(torch.nn.Module):
    def __init__(self, net: JointNet):
        super().__init__()
        self.net = net

    def forward(self, image):
        return self.net(image)


def export_onnx(model: JointNet, out_path: str, training_info: Optional[dict] = None, source: str = '',
                sample_hw=(96, 128), opset: int = ONNX_OPSET, input_size: Optional[str] = None) -> dict:
    """Write `model` as ONNX with dynamic H/W and metadata; returns the metadata written."""
    import onnx

    cfg: ModelConfig = model.config
    model = model.eval()
    outputs = [OUTPUT_NAMES[t] for t in cfg.tasks()]
    dummy = torch.zeros(1, 3, *sample_hw)
    dyn = {'image': {2: 'height', 3: 'width'}}
    for o in outputs:
        dyn[o] = {2: 'height_4', 3: 'width_4'}
    with torch.no_grad():
        torch.onnx.export(_ExportWrapper(model), dummy, out_path, input_names=['image'], output_names=outputs,
                          dynamic_axes=dyn, opset_version=opset, do_constant_folding=True)
    m = onnx.load(out_path)
    flush_subnormal_initializers(m)
    # torch's shape inference leaves the outputs' batch dim symbolic; the contract is batch 1, C static.
    channels = {'segm': cfg.num_classes, 'depth': 1, 'normals': 3}
    for o in m.graph.output:
        dims = o.type.tensor_type.shape.dim
        dims[0].Clear()
        dims[0].dim_value = 1
        dims[1].Clear()
        dims[1].dim_value = channels[o.name]
        dims[2].Clear()
        dims[2].dim_param = 'height_4'
        dims[3].Clear()
        dims[3].dim_param = 'width_4'
    meta = {
        'semslam.format': ONNX_FORMAT,
        'num_classes': str(cfg.num_classes),
        'class_names': json.dumps(list(class_names_for(cfg.num_classes))),
        'input_mean': json.dumps(list(IMAGENET_MEAN)),
        'input_std': json.dumps(list(IMAGENET_STD)),
        'input_layout': 'NCHW RGB float32, (x/255 - mean)/std',
        'outputs': json.dumps(outputs),
        'output_stride': '4',
        'depth_units': 'metres (take abs)',
        'model_config': json.dumps(cfg.__dict__),
        'source': source,
    }
    if training_info:
        meta['training'] = json.dumps(training_info)
    if input_size:
        parse_input_size(input_size)
        meta['input_size'] = input_size
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    m.producer_name = 'semslam_net'
    onnx.checker.check_model(m)
    onnx.save(m, out_path)
    return meta


def flush_subnormal_initializers(m) -> None:
    """Zero the float32 weights below the smallest normal float (in place). A CPU computes with
    subnormals on a slow path: run r8a, trained on a GPU, carried ~5,000 of them and its ONNX file ran 3x slower
    on this CPU (126 against 41 ms a 320x240 frame) for values that are zero to any output."""
    import numpy as np
    from onnx import numpy_helper
    tiny = np.finfo(np.float32).tiny
    for init in m.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.dtype != np.float32:
            continue
        sub = (a != 0) & (np.abs(a) < tiny)
        if sub.any():
            a = a.copy()
            a[sub] = 0
            init.CopyFrom(numpy_helper.from_array(a, init.name))


def parse_input_size(text: str):
    """'WxH' -> (W, H), both multiples of 32 are not required but must be >= 32."""
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise ValueError(f'input size must be WIDTHxHEIGHT, got {text!r}') from None
    if w < 32 or h < 32:
        raise ValueError(f'input size {text}: width and height must be at least 32')
    return w, h


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.export', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint', help='our training checkpoint or a published {"state_dict": ...} file')
    src.add_argument('--random-init', action='store_true', help='untrained network with the paper init (for plumbing tests)')
    ap.add_argument('--seed', type=int, default=0, help='seed of --random-init')
    ap.add_argument('--classes', type=int, default=40, help='class count of --random-init')
    ap.add_argument('--normals', action='store_true', help='--random-init with the normals head (three tasks)')
    ap.add_argument('--init', default='kaiming', choices=('paper', 'kaiming'),
                    help="weights of --random-init: 'kaiming' (default; outputs ~1e-3, useful for parity tests) or "
                         "'paper' (N(0, 0.01); outputs ~1e-13 in eval mode)")
    ap.add_argument('--out', required=True, help='output .onnx file')
    ap.add_argument('--opset', type=int, default=ONNX_OPSET)
    ap.add_argument('--input-size', default=None, help='WxH the network was trained at (stored as metadata input_size)')
    args = ap.parse_args(argv)
    from .checkpoint import CheckpointError, load_published
    training = None
    if args.checkpoint:
        try:
            model, _ = load_published(args.checkpoint)
        except CheckpointError as e:
            print(f'error: {e}', file=sys.stderr)
            return 2
        obj = torch.load(args.checkpoint, map_location='cpu')
        if isinstance(obj, dict) and isinstance(obj.get('training'), dict):
            training = obj['training']
        source = f'checkpoint {args.checkpoint}'
    else:
        torch.manual_seed(args.seed)
        model = JointNet(ModelConfig(num_classes=args.classes, with_normals=args.normals))
        model.reset_parameters(args.init)
        source = f'random-init seed {args.seed} init {args.init}'
        training = {'trained': False}
    input_size = args.input_size or (training or {}).get('input_size')
    meta = export_onnx(model, args.out, training_info=training, source=source, opset=args.opset, input_size=input_size)
    print(json.dumps({'out': args.out, 'outputs': json.loads(meta['outputs']), 'num_classes': model.config.num_classes,
                      'opset': args.opset}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
