"""The whole asymmetric-annotation recipe, end to end, as one command:

  1. teacher: segmentation-only network (MobileNet-v2 width 1.4) trained on S2 (labelled);
  2. label:   the teacher labels S1 (depth only) -> S1/teacher/segm_*.png (hard labels);
  3. pretrain: the joint network on S1 with teacher labels + depth;
  4. finetune: on S2 with both learning rates divided by 10;
  5. evaluate on held-out frames (TEST), export ONNX, write the model card (JSON + Markdown);
  6. optionally the Table III analogue: the same network trained with other supervision schemes for the
     same number of steps as pretrain + finetune, each evaluated on TEST.

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.recipe --s1 S1 --s2 S2 --test TEST --out runs/shipped \
      [--teacher-steps N] [--pretrain-steps N] [--finetune-steps N] [--ablations none|all|LIST]
      [--ablation-steps N] [--crop 350] [--batch-size 8] [--threads 2] [--onnx FILE] [--card FILE_STEM]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import Dict, List, Optional

import torch

from .checkpoint import load_published
from .config import DEFAULT_MODEL, DEFAULT_TEACHER, IMAGENET_MEAN, IMAGENET_STD, class_names_for
from .data import list_ids
from .evaluate import evaluate
from .export import export_onnx
from .label import label_folder
from .train import (TrainRun, add_train_arguments, data_config_from_args, train_config_from_args, train_phase,
                    resolve_device)

# Table III rows: name -> (data specs builder, losses, scheme, description)
ABLATIONS = {
    's2_joint': ('S2 only, joint (segm + depth)', lambda s1, s2: [s2], ('segm', 'depth'), 'joint'),
    's2_segm': ('S2 only, segmentation only', lambda s1, s2: [s2], ('segm',), 'joint'),
    's2_depth': ('S2 only, depth only', lambda s1, s2: [s2], ('depth',), 'joint'),
    'blitznet': ('S1 (depth) + S2 (both), update a branch when labelled (BlitzNet)',
                 lambda s1, s2: [s1 + '@none', s2], ('segm', 'depth'), 'blitznet'),
    'ubernet': ('S1 (depth) + S2 (both), accumulate task gradients (UberNet)',
                lambda s1, s2: [s1 + '@none', s2], ('segm', 'depth'), 'ubernet'),
}


def _summary(m: dict) -> dict:
    """The headline numbers of an evaluate() result."""
    out = {}
    if 'segmentation' in m:
        s = m['segmentation']
        out.update(miou=s['miou'], pixel_acc=s['pixel_acc'], mean_class_acc=s['mean_class_acc'])
    if 'depth' in m:
        d = m['depth']
        out.update(rmse=d['rmse'], rmse_log=d['rmse_log'], abs_rel=d['abs_rel'], delta1=d['delta1'])
    return out


def _training_frame_size(root: str, scale: float) -> str:
    """'WxH' of the frames the network saw in training (the folder's images resized by scale)."""
    from PIL import Image
    first = list_ids(root)[0]
    with Image.open(os.path.join(root, f'{first}.png')) as im:
        w, h = im.size
    return f'{round(w * scale)}x{round(h * scale)}'


def _count(root: str) -> int:
    from .data import list_ids
    return len(list_ids(root))


def _fmt(v, pct=False) -> str:
    if v is None:
        return 'n/a'
    return f'{100 * v:.1f}' if pct else f'{v:.3f}'


def write_card(path_stem: str, card: dict) -> None:
    with open(path_stem + '.json', 'w', encoding='utf8') as f:
        json.dump(card, f, indent=1)
    lines = [f'# Model card: {card["name"]}', '',
             'Joint 40-class NYUDv2 segmentation + depth network (Nekrasov et al., ICRA 2019: MobileNet-v2 + '
             'Light-Weight RefineNet), trained by `semslam_net.recipe` with asymmetric annotations.', '',
             '## Training', '',
             f'- Hardware: {card["hardware"]["device"]} ({card["hardware"]["cpu"]}, {card["hardware"]["threads"]} threads), '
             f'torch {card["hardware"]["torch"]}',
             f'- Wall time: {card["wall_time_s"] / 60:.1f} min in total', '']
    lines += ['| phase | data | steps | images | minutes | img/s | final loss |', '| --- | --- | --- | --- | --- | --- | --- |']
    for p in card['phases']:
        lines.append(f'| {p["name"]} | {", ".join(p["data"])} | {p["steps"]} | {p["images"]} | {p["seconds"] / 60:.1f} | '
                     f'{p["images_per_s"]:.2f} | {p["final_losses"].get("total", float("nan")):.4f} |')
    d = card['data']
    lines += ['', f'- S1 (depth only, teacher-labelled): `{d["s1"]}` ({d["s1_frames"]} frames)',
              f'- S2 (segmentation + depth): `{d["s2"]}` ({d["s2_frames"]} frames)',
              f'- Held-out test: `{d["test"]}` ({d["test_frames"]} frames; evaluated at scale {card["settings"]["scale"]}, '
              f'metrics at full label resolution; at most {card["settings"]["eval_max_images"] or "all"} frames)',
              f'- Crop {card["settings"]["crop"]}, batch {card["settings"]["batch_size"]}, scale {card["settings"]["scale"]}, '
              f'{card["settings"].get("optimizer", "sgd").upper()} momentum {card["settings"]["momentum"]}, '
              f'LR {card["settings"]["lr_encoder"]:g} encoder / '
              f'{card["settings"]["lr_decoder"]:g} decoder (fine-tune / 10), weight decay {card["settings"]["weight_decay"]:g}, '
              f'poly decay (power {card["settings"]["poly_power"]:g}), '
              f'init {card["settings"]["init"]} (trained from scratch: no ImageNet weights available)', '',
             '## Metrics on held-out frames', '',
             '| model | mIoU % | pixel acc % | mean class acc % | RMSE m | RMSE log | abs rel | delta<1.25 % |',
             '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, m in card['table'].items():
        lines.append(f'| {name} | {_fmt(m.get("miou"), True)} | {_fmt(m.get("pixel_acc"), True)} | '
                     f'{_fmt(m.get("mean_class_acc"), True)} | {_fmt(m.get("rmse"))} | {_fmt(m.get("rmse_log"))} | '
                     f'{_fmt(m.get("abs_rel"))} | {_fmt(m.get("delta1"), True)} |')
    lines += ['', 'Rows other than "ours" and "teacher" are the Table III analogue (same network, same number of steps '
              'as pretrain + finetune, other supervision schemes).' if len(card['table']) > 2 else '', '',
              '## Input and output', '',
              f'- Input: RGB, x/255, minus mean {list(IMAGENET_MEAN)}, divided by std {list(IMAGENET_STD)}, NCHW float32.',
              '- Outputs at 1/4 resolution: `segm` logits (argmax after resizing), `depth` in metres (take abs).',
              f'- ONNX: `{card["onnx"]}` (opset 13, dynamic H and W).', '',
              '## Classes', '', ', '.join(f'{i} {n}' for i, n in enumerate(card['classes'])), '']
    with open(path_stem + '.md', 'w', encoding='utf8') as f:
        f.write('\n'.join(lines))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.recipe', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--s1', required=True, help='large depth-only folder (labelled layout without segm_gt)')
    ap.add_argument('--s2', required=True, help='small folder with segmentation + depth')
    ap.add_argument('--test', required=True, help='held-out labelled folder (other rooms)')
    ap.add_argument('--out', required=True, help='run folder')
    ap.add_argument('--teacher-steps', type=int, default=300)
    ap.add_argument('--pretrain-steps', type=int, default=400)
    ap.add_argument('--finetune-steps', type=int, default=200)
    ap.add_argument('--teacher-width', type=float, default=DEFAULT_TEACHER.width_mult)
    ap.add_argument('--ablations', default='none', help=f'none | all | comma list of {",".join(ABLATIONS)}')
    ap.add_argument('--ablation-steps', type=int, default=None, help='default: pretrain + finetune steps')
    ap.add_argument('--eval-max-images', type=int, default=None, help='cap on held-out frames evaluated per model')
    ap.add_argument('--eval-scale', type=float, default=None,
                    help='resize TEST frames by this before the network (default: --scale); e.g. 0.5 runs a network '
                         'trained on 320x240 frames on 640x480 test frames, scored at 640x480')
    ap.add_argument('--onnx', default=None, help='default OUT/model.onnx')
    ap.add_argument('--card', default=None, help='model card path without extension (default OUT/model-card)')
    ap.add_argument('--name', default='semslam-joint-nyu40')
    add_train_arguments(ap)
    a = ap.parse_args(argv)
    t_all = time.time()
    os.makedirs(a.out, exist_ok=True)
    data_cfg = data_config_from_args(a)
    eval_scale = a.scale if a.eval_scale is None else a.eval_scale
    device = resolve_device(a.device)
    torch.set_num_threads(a.threads)
    phases = []
    log = sys.stderr

    def phase(name, data, model_cfg, steps, losses, scheme='joint', init_from=None, lr_scale=1.0):
        tc = train_config_from_args(a, losses=losses, scheme=scheme, max_steps=steps)
        out_dir = os.path.join(a.out, name)
        resume = os.path.join(out_dir, 'last.ckpt')
        final = os.path.join(out_dir, 'final.ckpt')
        if os.path.exists(final):
            ck = torch.load(final, map_location='cpu')
            if ck.get('step') == steps and 'training' in ck:
                print(f'[recipe] {name}: already done ({final})', file=log)
                info = ck['training']
                phases.append({**info, 'images_per_s': info['images'] / max(info['seconds'], 1e-9),
                               'checkpoint': final, 'final_losses': info.get('final_losses', {})})
                return final
        run = TrainRun(data=data, out_dir=out_dir, name=name, model=model_cfg, data_config=data_cfg, train=tc,
                       init_from=init_from, lr_scale=lr_scale,
                       resume=resume if os.path.exists(resume) else None)
        print(f'[recipe] {name}: {steps} steps on {data}', file=log, flush=True)
        res = train_phase(run, log=log)
        phases.append(asdict(res))
        return res.checkpoint

    teacher_cfg = replace(DEFAULT_TEACHER, width_mult=a.teacher_width)
    teacher_ck = phase('teacher', [a.s2], teacher_cfg, a.teacher_steps, ('segm',))
    teacher, _ = load_published(teacher_ck)
    print('[recipe] labelling S1 with the teacher', file=log, flush=True)
    lab = label_folder(teacher, a.s1, device, log=log, scale=a.scale)
    pre_ck = phase('pretrain', [a.s1 + '@teacher'], DEFAULT_MODEL, a.pretrain_steps, ('segm', 'depth'))
    fin_ck = phase('finetune', [a.s2], DEFAULT_MODEL, a.finetune_steps, ('segm', 'depth'), init_from=pre_ck, lr_scale=0.1)

    print('[recipe] evaluating on held-out frames', file=log, flush=True)
    table: Dict[str, dict] = {}
    full: Dict[str, dict] = {}
    model, _ = load_published(fin_ck)
    full['ours'] = evaluate(model, a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['ours'] = _summary(full['ours'])
    full['teacher'] = evaluate(teacher, a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['teacher'] = _summary(full['teacher'])
    full['pretrain_only'] = evaluate(load_published(pre_ck)[0], a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['pretrain_only (S1 teacher labels)'] = _summary(full['pretrain_only'])

    names = [] if a.ablations == 'none' else list(ABLATIONS) if a.ablations == 'all' else a.ablations.split(',')
    ab_steps = a.ablation_steps or (a.pretrain_steps + a.finetune_steps)
    for n in names:
        if n not in ABLATIONS:
            raise SystemExit(f'unknown ablation {n!r}; choose from {", ".join(ABLATIONS)}')
        desc, data_fn, losses, scheme = ABLATIONS[n]
        ck = phase(f'ablation_{n}', data_fn(a.s1, a.s2), DEFAULT_MODEL, ab_steps, losses, scheme=scheme)
        m = evaluate(load_published(ck)[0], a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
        full[n] = m
        s = _summary(m)
        # A single-task row reports only its task's metrics (the other head was never trained).
        if losses == ('segm',):
            s = {k: v for k, v in s.items() if k in ('miou', 'pixel_acc', 'mean_class_acc')}
        if losses == ('depth',):
            s = {k: v for k, v in s.items() if k not in ('miou', 'pixel_acc', 'mean_class_acc')}
        table[desc] = s

    wall = time.time() - t_all
    onnx_path = a.onnx or os.path.join(a.out, 'model.onnx')
    card = {
        'name': a.name,
        'created': dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds'),
        'architecture': 'MobileNet-v2 (width 1.0) + Light-Weight RefineNet, heads segm (40) + depth',
        'parameters': sum(p.numel() for p in model.parameters()),
        'hardware': {'device': device, 'cpu': platform.processor() or platform.machine(), 'threads': a.threads,
                     'torch': torch.__version__},
        'wall_time_s': round(wall, 1),
        'data': {'s1': a.s1, 's2': a.s2, 'test': a.test, 's1_frames': _count(a.s1), 's2_frames': _count(a.s2),
                 'test_frames': _count(a.test), 's1_teacher_labels': lab},
        'settings': {'crop': a.crop, 'batch_size': a.batch_size, 'scale': a.scale, 'init': a.init,
                     'optimizer': a.optimizer, 'lr_encoder': a.lr_encoder, 'lr_decoder': a.lr_decoder, 'momentum': a.momentum,
                     'weight_decay': a.weight_decay, 'poly_power': a.poly_power,
                     'eval_scale': eval_scale, 'teacher_width': a.teacher_width, 'teacher_steps': a.teacher_steps,
                     'pretrain_steps': a.pretrain_steps, 'finetune_steps': a.finetune_steps,
                     'ablation_steps': ab_steps if names else None, 'eval_max_images': a.eval_max_images},
        'phases': phases,
        'table': table,
        'metrics': full,
        'classes': list(class_names_for(DEFAULT_MODEL.num_classes)),
        'input': {'mean': list(IMAGENET_MEAN), 'std': list(IMAGENET_STD), 'layout': 'NCHW RGB float32 (x/255-mean)/std'},
        'onnx': onnx_path,
    }
    training_info = {k: card[k] for k in ('name', 'created', 'hardware', 'wall_time_s', 'settings')}
    training_info['data'] = {k: v for k, v in card['data'].items() if k != 's1_teacher_labels'}
    training_info['metrics_test'] = table['ours']
    training_info['input_size'] = _training_frame_size(a.s2, a.scale)
    card['input_size'] = training_info['input_size']
    export_onnx(model, onnx_path, training_info=training_info, source=f'semslam_net.recipe {fin_ck}',
                input_size=training_info['input_size'])
    card['wall_time_s'] = round(time.time() - t_all, 1)
    stem = a.card or os.path.join(a.out, 'model-card')
    write_card(stem, card)
    print(json.dumps({'onnx': onnx_path, 'card': stem + '.json', 'table': table, 'wall_time_s': card['wall_time_s']},
                     indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
