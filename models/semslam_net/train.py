"""Training engine: one phase of the recipe (teacher, pre-training, fine-tuning, or a Table III ablation).

  PYTHONPATH=models /usr/bin/python3 -m semslam_net.train --data S2_DIR --out runs/joint_s2 \
      [--data S1_DIR@teacher] [--model joint|teacher] [--losses segm,depth] [--scheme joint|blitznet|ubernet]
      [--init-from CKPT] [--lr-scale 0.1] [--resume runs/x/last.ckpt] [--max-steps N | --epochs N]
      [--crop 350] [--batch-size 8] [--threads 2] [--device auto|cpu|cuda] [--freeze-bn]

`--data DIR@SOURCE` picks the segmentation labels of a folder: gt (segm_gt_*), teacher (teacher/segm_*,
written by semslam_net.label) or none (depth only). Checkpoints: OUT/last.ckpt every --checkpoint-every
steps, OUT/final.ckpt at the end (model, optimiser, scheduler, step, config, training info).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch.utils.data import ConcatDataset, DataLoader

from .checkpoint import load_published, normalize_state_dict, extract_state_dict, save_training_checkpoint
from .config import (DEFAULT_DATA, DEFAULT_MODEL, DEFAULT_TEACHER, DEFAULT_TRAIN, SCHEMES, DataConfig, ModelConfig,
                     TrainConfig, model_config_from_dict)
from .data import LabelledFolder, parse_data_spec
from .imagenet import DEFAULT_IMAGENET_ENCODER, load_imagenet_encoder
from .losses import berhu_loss, normals_loss, segmentation_loss
from .model import HEAD_MODULES, JointNet, parameter_groups

TASK_FLAG = {'segm': 'has_segm', 'depth': 'has_depth', 'normals': 'has_normals'}


@dataclass(frozen=True)
class TrainRun:
    """Everything one training phase needs; `train_phase` is a pure function of it (plus files)."""
    data: Sequence[str]
    out_dir: str
    name: str = 'train'
    model: ModelConfig = DEFAULT_MODEL
    data_config: DataConfig = DEFAULT_DATA
    train: TrainConfig = DEFAULT_TRAIN
    init_from: Optional[str] = None  # weights to start from (fine-tuning); optimiser starts fresh
    lr_scale: float = 1.0  # multiplies both learning rates (fine-tuning uses 0.1)
    resume: Optional[str] = None  # continue a run from its checkpoint (weights, optimiser, scheduler, step)
    # Called every eval_every steps with the model; returns (metrics, score). The best score is kept in
    # OUT/best.ckpt and every result goes to OUT/curve.jsonl beside the loss windows.
    evaluator: Optional[Callable[[JointNet], Tuple[dict, float]]] = None
    eval_every: int = 0


@dataclass(frozen=True)
class TrainResult:
    name: str
    steps: int
    images: int
    seconds: float
    images_per_s: float  # higher is better
    final_losses: Dict[str, float]  # mean over the last log window; lower is better
    first_losses: Dict[str, float]  # mean over the first log window
    checkpoint: str
    data: List[str]
    device: str


def resolve_device(name: str) -> str:
    if name == 'auto':
        return 'cuda' if torch.cuda.is_available() else 'cpu'
    if name == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda: no CUDA device is available')
    return name


def build_optimizer(model: JointNet, cfg: TrainConfig, lr_scale: float = 1.0,
                    extra_params: Sequence[torch.nn.Parameter] = ()) -> torch.optim.Optimizer:
    """SGD with momentum (the paper's); encoder at lr_encoder, decoder and heads at lr_decoder (normals head x10).
    Each group carries its name so schemes can step parts of the network. optimizer='adam' (beta1 = momentum)
    is for training from scratch on a small compute budget, where plain SGD stays at the class prior for
    thousands of images."""
    groups = parameter_groups(model)
    param_groups = []
    for name, named in groups.items():
        named = [(n, p) for n, p in named if p.requires_grad]
        if not named:
            continue
        lr = cfg.lr_encoder if name == 'encoder' else cfg.lr_decoder
        if name == 'normals':
            lr *= cfg.normals_lr_mult
        param_groups.append({'params': [p for _, p in named], 'lr': lr * lr_scale, 'name': name})
    if extra_params:
        param_groups.append({'params': list(extra_params), 'lr': cfg.lr_decoder * lr_scale, 'name': 'balance',
                             'weight_decay': 0.0})
    if cfg.optimizer == 'adam':
        return torch.optim.Adam(param_groups, lr=cfg.lr_decoder * lr_scale, betas=(cfg.momentum, 0.999),
                                weight_decay=cfg.weight_decay)
    if cfg.optimizer != 'sgd':
        raise ValueError(f'optimizer must be sgd or adam, got {cfg.optimizer!r}')
    return torch.optim.SGD(param_groups, lr=cfg.lr_decoder * lr_scale, momentum=cfg.momentum,
                           weight_decay=cfg.weight_decay)


def build_scheduler(opt, total_steps: int, power: float, horizon: Optional[List[int]] = None):
    """Polynomial decay (1 - step/total)^power, 0 = constant. `horizon` (a one-element list) lets a time-boxed
    phase shorten the total after it has started."""
    h = horizon if horizon is not None else [total_steps]
    h[0] = total_steps

    def f(step: int) -> float:
        if power <= 0 or h[0] <= 0:
            return 1.0
        return max(0.0, 1.0 - step / h[0]) ** power
    return torch.optim.lr_scheduler.LambdaLR(opt, f)


def set_bn_frozen(model: torch.nn.Module, frozen: bool, frozen_layers: int = 0) -> None:
    """Frozen BN: running statistics stay as loaded (eval mode); affine parameters still train. BN inside
    frozen encoder layers (layer1 .. layer<frozen_layers>) is always in eval mode."""
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            if frozen or _encoder_layer_index(name) <= frozen_layers:
                m.eval()


def _encoder_layer_index(name: str) -> int:
    """1..8 for a parameter/module under layer1..layer8, 99 otherwise."""
    top = name.split('.', 1)[0]
    if top.startswith('layer') and top[5:].isdigit():
        return int(top[5:])
    return 99


def freeze_encoder_below(model: JointNet, first_trained: int) -> int:
    """requires_grad = False for encoder layers below `first_trained` (1 = none frozen, 9 = all); returns the
    number of frozen parameters."""
    n = 0
    for name, p in model.named_parameters():
        if _encoder_layer_index(name) < first_trained:
            p.requires_grad_(False)
            n += p.numel()
    return n


class TaskBalance(torch.nn.Module):
    """Weights of the task losses. 'fixed': constants. 'uncertainty' (Kendall et al., CVPR 2018): one learned
    log-variance s_t per task, total = sum_t exp(-s_t) * L_t + s_t, so a task whose loss stays large gets
    down-weighted and the regulariser stops the weights from collapsing to 0."""

    def __init__(self, tasks: Sequence[str], mode: str, fixed: Dict[str, float]):
        super().__init__()
        if mode not in ('fixed', 'uncertainty'):
            raise ValueError(f'balance must be fixed or uncertainty, got {mode!r}')
        self.tasks = list(tasks)
        self.mode = mode
        self.fixed = dict(fixed)
        self.log_vars = torch.nn.Parameter(torch.zeros(len(self.tasks)), requires_grad=mode == 'uncertainty')

    def forward(self, losses: Dict[str, torch.Tensor]) -> torch.Tensor:
        if self.mode == 'fixed':
            return sum(self.fixed[t] * l for t, l in losses.items())
        total = 0.0
        for k, t in enumerate(self.tasks):
            if t in losses:
                total = total + torch.exp(-self.log_vars[k]) * losses[t] + self.log_vars[k]
        return total

    def weights(self) -> Dict[str, float]:
        if self.mode == 'fixed':
            return dict(self.fixed)
        return {t: float(torch.exp(-self.log_vars[k])) for k, t in enumerate(self.tasks)}


def loss_weights(tasks: Sequence[str], cfg: TrainConfig) -> Dict[str, float]:
    """lambda for segmentation, 1 - lambda for depth, 1 for normals; a single task gets weight 1 so
    single-task baselines train at the same effective learning rate."""
    if len(tasks) == 1:
        return {tasks[0]: 1.0}
    w = {'segm': cfg.lambda_segm, 'depth': (1.0 - cfg.lambda_segm) * cfg.depth_weight, 'normals': 1.0}
    return {t: w[t] for t in tasks}


def compute_losses(outputs: Dict[str, torch.Tensor], batch: Dict[str, torch.Tensor],
                   tasks: Sequence[str]) -> Dict[str, torch.Tensor]:
    """Per-task losses over the batch's samples that carry that task's label (absent tasks omitted)."""
    losses = {}
    for t in tasks:
        has = batch[TASK_FLAG[t]]
        if not bool(has.any()):
            continue
        sel = has.nonzero()[:, 0]
        if t == 'segm':
            losses[t] = segmentation_loss(outputs[t][sel], batch['segm'][sel])
        elif t == 'depth':
            losses[t] = berhu_loss(outputs[t][sel], batch['depth'][sel])
        else:
            losses[t] = normals_loss(outputs[t][sel], batch['normals'][sel])
    return losses


class UberNetAccumulator:
    """UberNet-style asynchronous updates: each task head accumulates gradients until `task_every`
    labelled examples of its task were seen; shared weights (encoder + decoder) accumulate until
    `shared_every` examples; then the accumulated (averaged) gradient is applied."""

    def __init__(self, model: JointNet, task_every: int, shared_every: int):
        self.groups = {k: [p for _, p in v] for k, v in parameter_groups(model).items() if v}
        self.task_every = task_every
        self.shared_every = shared_every
        self.acc = {id(p): torch.zeros_like(p) for ps in self.groups.values() for p in ps}
        self.counts = {k: 0 for k in self.groups}

    def absorb(self, examples: Dict[str, int], batch_size: int) -> None:
        """Move the current .grad into the accumulators; count examples per group."""
        for k, ps in self.groups.items():
            for p in ps:
                if p.grad is not None:
                    self.acc[id(p)] += p.grad
                    p.grad = None
            if k in ('encoder', 'decoder'):
                self.counts[k] += batch_size
            else:
                self.counts[k] += examples.get(k, 0)

    def ready_groups(self) -> List[str]:
        out = []
        for k, n in self.counts.items():
            limit = self.shared_every if k in ('encoder', 'decoder') else self.task_every
            if n >= limit:
                out.append(k)
        return out

    def release(self, names: Sequence[str], steps_in_window: Dict[str, int]) -> None:
        """Put the averaged accumulated gradient of the named groups into .grad and reset them."""
        for k in names:
            n = max(1, steps_in_window.get(k, 1))
            for p in self.groups[k]:
                p.grad = self.acc[id(p)] / n
                self.acc[id(p)] = torch.zeros_like(p)
            self.counts[k] = 0


def make_loader(specs: Sequence[str], data_cfg: DataConfig, cfg: TrainConfig, with_normals: bool) -> DataLoader:
    sets = []
    for i, spec in enumerate(specs):
        root, src = parse_data_spec(spec)
        if data_cfg.cache_size is not None:
            from .augment import NO_PHOTOMETRIC, AugmentConfig
            from .cache import CachedDataset, build_cache
            base = AugmentConfig() if data_cfg.photometric else NO_PHOTOMETRIC
            aug = replace(base, crop=data_cfg.crop, scale_range=tuple(data_cfg.scale_range), mirror=data_cfg.mirror)
            sets.append(CachedDataset(build_cache(root, src, tuple(data_cfg.cache_size)), aug, seed=cfg.seed * 1000 + i))
            continue
        sets.append(LabelledFolder(root, data_cfg, train=True, segm_source=src, with_normals=with_normals,
                                   seed=cfg.seed * 1000 + i))
    ds = ConcatDataset(sets)
    g = torch.Generator()
    g.manual_seed(cfg.seed)
    return DataLoader(ds, batch_size=min(cfg.batch_size, len(ds)), shuffle=True, drop_last=True,
                      num_workers=cfg.num_workers, generator=g, persistent_workers=cfg.num_workers > 0)


# Steps timed before a time-boxed phase fits its step count (the first ones include start-up costs).
TIME_BOX_WARMUP_STEPS = 30
# Steps left out of the time box's rate (start-up).
TIME_BOX_RATE_FROM = 10


def _fmt_time(s: float) -> str:
    s = int(max(0, s))
    return f'{s // 3600}h{s // 60 % 60:02d}m{s % 60:02d}s' if s >= 3600 else f'{s // 60}m{s % 60:02d}s'


def train_phase(run: TrainRun, log=sys.stderr) -> TrainResult:
    """Train one phase; returns a TrainResult and leaves OUT/final.ckpt."""
    cfg = run.train
    if cfg.scheme not in SCHEMES:
        raise ValueError(f'scheme must be one of {SCHEMES}, got {cfg.scheme!r}')
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    # Denormal floats in small activations cost CPU time for nothing (measured 9.4 vs 8.2 images/s).
    torch.set_flush_denormal(True)
    device = resolve_device(cfg.device)
    model_cfg = run.model
    tasks = [t for t in cfg.losses if t in model_cfg.tasks()]
    if not tasks:
        raise ValueError(f'none of the losses {cfg.losses} matches the model tasks {model_cfg.tasks()}')
    model = JointNet(model_cfg)
    model.reset_parameters(cfg.init)
    if cfg.imagenet and not run.init_from:
        n = load_imagenet_encoder(model, cfg.imagenet)
        print(f'[{run.name}] encoder from ImageNet: {n} tensors from {cfg.imagenet}', file=log)
    frozen = freeze_encoder_below(model, cfg.train_encoder_from)
    if frozen:
        print(f'[{run.name}] encoder layers 1-{cfg.train_encoder_from - 1} frozen ({frozen} parameters)', file=log)
    if run.init_from:
        obj = torch.load(run.init_from, map_location='cpu')
        sd = normalize_state_dict(extract_state_dict(obj, run.init_from), run.init_from)
        missing, unexpected = model.load_state_dict(sd, strict=False)
        bad = [k for k in missing if not any(k.startswith(h) for hs in HEAD_MODULES.values() for h in hs)]
        if bad:
            raise ValueError(f'{run.init_from}: encoder/decoder weights missing: {bad[:5]}')
        print(f'[{run.name}] initialised from {run.init_from} (missing heads: {len(missing)}, ignored: {len(unexpected)})',
              file=log)
    model.to(device)
    loader = make_loader(run.data, run.data_config, cfg, model_cfg.with_normals)
    if cfg.max_steps is not None:
        total = cfg.max_steps
    elif cfg.epochs is not None:
        total = cfg.epochs * len(loader)
    else:
        raise ValueError('give --max-steps or --epochs')
    # One task has nothing to balance (and a single learned weight would only rescale the learning rate).
    balance = TaskBalance(tasks, cfg.balance if len(tasks) > 1 else 'fixed', loss_weights(tasks, cfg))
    opt = build_optimizer(model, cfg, run.lr_scale, [balance.log_vars] if balance.mode == 'uncertainty' else ())
    horizon = [total]
    sched = build_scheduler(opt, total, cfg.poly_power, horizon)
    step = 0
    # Totals over every part of a run that was stopped and resumed (the model card sums them).
    progress = {'images': 0, 'seconds': 0.0, 'parts': 1, 'best_score': None}
    if run.resume:
        ck = torch.load(run.resume, map_location='cpu')
        if 'balance' in ck:
            balance.load_state_dict(ck['balance'])
        if 'progress' in ck:
            progress.update(ck['progress'])
            progress['parts'] = int(progress['parts']) + 1
        model.load_state_dict(normalize_state_dict(ck['state_dict'], run.resume), strict=True)
        if ck.get('optimizer'):
            opt.load_state_dict(ck['optimizer'])
        if ck.get('scheduler'):
            sched.load_state_dict(ck['scheduler'])
        step = int(ck.get('step', 0))
        print(f'[{run.name}] resumed from {run.resume} at step {step}', file=log)
    uber = UberNetAccumulator(model, cfg.ubernet_task_every, cfg.ubernet_shared_every) if cfg.scheme == 'ubernet' else None
    uber_batches: Dict[str, int] = {}
    config_record = {'model': asdict(model_cfg), 'data': asdict(run.data_config), 'train': asdict(cfg),
                     'run': {'data': list(run.data), 'init_from': run.init_from, 'lr_scale': run.lr_scale,
                             'name': run.name}}
    os.makedirs(run.out_dir, exist_ok=True)
    last_path = os.path.join(run.out_dir, 'last.ckpt')
    curve_path = os.path.join(run.out_dir, 'curve.jsonl')
    images_before, seconds_before = int(progress['images']), float(progress['seconds'])

    def extra(**more):
        progress['images'] = images_before + images
        progress['seconds'] = round(seconds_before + time.time() - t_start, 1)
        return {'balance': balance.state_dict(), 'progress': dict(progress), **more}

    def curve(record: dict) -> None:
        with open(curve_path, 'a', encoding='utf8') as f:
            f.write(json.dumps({'step': step, 'images': images_before + images,
                                'hours': round((seconds_before + time.time() - t_start) / 3600, 4), **record}) + '\n')
    t_ckpt = time.time()
    window: Dict[str, List[float]] = {}
    first: Dict[str, float] = {}
    final: Dict[str, float] = {}
    t_start = time.time()
    t_rate = t_start
    t_win = t_start
    imgs_win = 0
    images = 0
    start_step = step
    heads = {t: [p for _, p in parameter_groups(model)[t]] for t in model_cfg.tasks()}

    def new_epoch():
        return iter(loader)

    it = new_epoch()
    while step < total:
        try:
            batch = next(it)
        except StopIteration:
            it = new_epoch()
            batch = next(it)
        batch = {k: v.to(device) for k, v in batch.items()}
        model.train()
        set_bn_frozen(model, cfg.freeze_bn, cfg.train_encoder_from - 1)
        outs = dict(zip(model_cfg.tasks(), model(batch['image'])))
        losses = compute_losses(outs, batch, tasks)
        if not losses:
            step += 1
            continue
        total_loss = balance(losses)
        opt.zero_grad(set_to_none=True)
        total_loss.backward()
        # A head whose task has no label in this batch is not updated at all (no momentum / decay step).
        for t, ps in heads.items():
            if t not in losses:
                for p in ps:
                    p.grad = None
        bsz = int(batch['image'].shape[0])
        if uber is None:
            opt.step()
        else:
            examples = {t: int(batch[TASK_FLAG[t]].sum()) for t in losses}
            for k in list(uber.groups):
                if k in ('encoder', 'decoder') or k in losses:
                    uber_batches[k] = uber_batches.get(k, 0) + 1
            uber.absorb(examples, bsz)
            ready = uber.ready_groups()
            if ready:
                uber.release(ready, uber_batches)
                opt.step()
                for k in ready:
                    uber_batches[k] = 0
        sched.step()
        step += 1
        images += bsz
        imgs_win += bsz
        for t, l in losses.items():
            window.setdefault(t, []).append(float(l))
        window.setdefault('total', []).append(float(total_loss))
        if step % cfg.log_every == 0 or step == total:
            now = time.time()
            means = {k: sum(v) / len(v) for k, v in window.items()}
            if not first:
                first = means
            final = means
            ips = imgs_win / max(now - t_win, 1e-9)
            eta = (total - step) * (now - t_start) / max(step - start_step, 1)
            parts = ' '.join(f'{k} {v:.4f}' for k, v in means.items() if k != 'total')
            print(f'[{run.name}] step {step}/{total} loss {means["total"]:.4f} ({parts}) '
                  f'{ips:.2f} img/s lr {opt.param_groups[0]["lr"]:.2e} ETA {_fmt_time(eta)}', file=log, flush=True)
            curve({'loss': means, 'img_per_s': round(ips, 3), 'weights': balance.weights()})
            window = {}
            t_win, imgs_win = now, 0
        if cfg.max_minutes > 0 and step - start_step == TIME_BOX_RATE_FROM:
            t_rate = time.time()
        if cfg.max_minutes > 0 and step - start_step == TIME_BOX_WARMUP_STEPS:
            # Throughput is known now (data loader and device warmed up): fit the steps to what time is left. The
            # rate is taken after the first steps: with them (workers starting, CUDA initialising) a GPU run was
            # given 2,062 steps for 3 minutes and finished them in 101 s.
            per_step = (time.time() - t_rate) / (TIME_BOX_WARMUP_STEPS - TIME_BOX_RATE_FROM)
            fit = step + int((cfg.max_minutes * 60 - (time.time() - t_start)) / per_step)
            if fit < total:
                print(f'[{run.name}] {cfg.max_minutes:g} min budget at {per_step:.3f} s/step: {total} -> {fit} steps',
                      file=log, flush=True)
                total = max(fit, step + 1)
                horizon[0] = total
        if run.evaluator is not None and run.eval_every and (step % run.eval_every == 0 or step == total):
            metrics, score = run.evaluator(model)
            model.train()
            best = progress.get('best_score')
            is_best = best is None or score > best
            curve({'eval': metrics, 'score': score, 'best': is_best})
            print(f'[{run.name}] eval at step {step}: score {score:.4f}{" (best)" if is_best else ""}', file=log, flush=True)
            if is_best:
                progress['best_score'] = score
                progress['best_step'] = step
                save_training_checkpoint(os.path.join(run.out_dir, 'best.ckpt'), model, None, None, step, config_record,
                                         extra=extra(eval=metrics, score=score))
        if step < total and (step % cfg.checkpoint_every == 0 or time.time() - t_ckpt > 60 * cfg.checkpoint_minutes):
            save_training_checkpoint(last_path, model, opt, sched, step, config_record, extra=extra())
            t_ckpt = time.time()
    seconds = time.time() - t_start
    ex = extra()
    info = {'name': run.name, 'steps': step, 'images': int(progress['images']), 'seconds': float(progress['seconds']),
            'parts': int(progress['parts']), 'data': list(run.data), 'device': device, 'final_losses': final,
            'loss_weights': balance.weights(), 'best_score': progress.get('best_score'),
            'best_step': progress.get('best_step')}
    final_path = os.path.join(run.out_dir, 'final.ckpt')
    save_training_checkpoint(final_path, model, opt, sched, step, config_record, extra={**ex, 'training': info})
    save_training_checkpoint(last_path, model, opt, sched, step, config_record, extra={**ex, 'training': info})
    return TrainResult(name=run.name, steps=step, images=images, seconds=seconds,
                       images_per_s=images / max(seconds, 1e-9), final_losses=final, first_losses=first,
                       checkpoint=final_path, data=list(run.data), device=device)


def add_train_arguments(ap: argparse.ArgumentParser) -> None:
    """Arguments shared by train and recipe; defaults come from the config records."""
    d, t = DEFAULT_DATA, DEFAULT_TRAIN
    ap.add_argument('--crop', type=int, default=d.crop, help=f'random square crop (default {d.crop})')
    ap.add_argument('--scale', type=float, default=d.scale, help='resize frames before cropping (default 1 = native)')
    ap.add_argument('--no-mirror', action='store_true', help='disable random horizontal mirroring')
    ap.add_argument('--batch-size', type=int, default=t.batch_size)
    ap.add_argument('--threads', type=int, default=t.threads)
    ap.add_argument('--device', default=t.device, help='auto (cuda when available, else cpu) | cpu | cuda')
    ap.add_argument('--lr-encoder', type=float, default=t.lr_encoder)
    ap.add_argument('--lr-decoder', type=float, default=t.lr_decoder)
    ap.add_argument('--weight-decay', type=float, default=t.weight_decay)
    ap.add_argument('--momentum', type=float, default=t.momentum)
    ap.add_argument('--optimizer', default=t.optimizer, choices=('sgd', 'adam'),
                    help='sgd (the paper, default) or adam (from-scratch training on a small budget)')
    ap.add_argument('--poly-power', type=float, default=t.poly_power, help='LR decay power (0 = constant)')
    ap.add_argument('--freeze-bn', action='store_true', help='freeze BN running statistics (paper; needs a pre-trained encoder)')
    ap.add_argument('--init', default=t.init, choices=('paper', 'kaiming'), help='weight init when training from scratch')
    ap.add_argument('--seed', type=int, default=t.seed)
    ap.add_argument('--log-every', type=int, default=t.log_every)
    ap.add_argument('--checkpoint-every', type=int, default=t.checkpoint_every)
    ap.add_argument('--workers', type=int, default=t.num_workers, help='DataLoader worker processes')
    ap.add_argument('--imagenet', default='default',
                    help='ImageNet encoder weights: default (models/weights, shipped) | none (train from scratch) | FILE')
    ap.add_argument('--train-encoder-from', type=int, default=t.train_encoder_from,
                    help='freeze encoder layers below this one (1 = train all, 9 = frozen encoder)')
    ap.add_argument('--balance', default=t.balance, choices=('fixed', 'uncertainty'),
                    help='task loss weights: fixed (lambda) or learned uncertainty weighting (Kendall et al.)')
    ap.add_argument('--depth-weight', type=float, default=t.depth_weight, help='extra factor on the depth loss (fixed)')
    ap.add_argument('--checkpoint-minutes', type=float, default=t.checkpoint_minutes)
    ap.add_argument('--max-minutes', type=float, default=t.max_minutes,
                    help='time budget of the phase: after warm-up the step count is fitted to it (LR still decays to 0)')
    ap.add_argument('--cache-size', default=None,
                    help='WxH: train from memory-mapped pre-decoded frames of this size with the augmentations of '
                         'semslam_net.augment (e.g. 320x240)')
    ap.add_argument('--scale-range', default='0.5,2', help='random scale range with --cache-size (paper: 0.5,2)')
    ap.add_argument('--no-photometric', action='store_true', help='no colour / blur / noise / JPEG augmentation')


def data_config_from_args(a) -> DataConfig:
    cache = None
    if a.cache_size:
        w, h = (int(v) for v in a.cache_size.lower().split('x'))
        cache = (w, h)
    lo, hi = (float(v) for v in a.scale_range.split(','))
    return replace(DEFAULT_DATA, crop=a.crop, scale=a.scale, mirror=not a.no_mirror, cache_size=cache,
                   scale_range=(lo, hi), photometric=not a.no_photometric)


def imagenet_from_args(a) -> Optional[str]:
    if a.imagenet == 'none':
        return None
    return DEFAULT_IMAGENET_ENCODER if a.imagenet == 'default' else a.imagenet


def train_config_from_args(a, **over) -> TrainConfig:
    base = replace(DEFAULT_TRAIN, batch_size=a.batch_size, threads=a.threads, device=a.device, lr_encoder=a.lr_encoder,
                   lr_decoder=a.lr_decoder, weight_decay=a.weight_decay, momentum=a.momentum, optimizer=a.optimizer,
                   poly_power=a.poly_power, freeze_bn=a.freeze_bn, init=a.init, seed=a.seed, log_every=a.log_every,
                   checkpoint_every=a.checkpoint_every, num_workers=a.workers, imagenet=imagenet_from_args(a),
                   train_encoder_from=a.train_encoder_from, balance=a.balance, depth_weight=a.depth_weight,
                   checkpoint_minutes=a.checkpoint_minutes, max_minutes=a.max_minutes)
    return replace(base, **over)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='semslam_net.train', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', action='append', required=True, help='DIR[@gt|@teacher|@none], repeatable')
    ap.add_argument('--out', required=True, help='run folder (checkpoints)')
    ap.add_argument('--name', default='train')
    ap.add_argument('--model', default='joint', choices=('joint', 'teacher'),
                    help='joint: the paper network; teacher: segmentation-only, MobileNet-v2 width 1.4')
    ap.add_argument('--classes', type=int, default=DEFAULT_MODEL.num_classes)
    ap.add_argument('--normals', action='store_true', help='three tasks (adds the normals head)')
    ap.add_argument('--width', type=float, default=None, help='encoder width multiplier (overrides --model)')
    ap.add_argument('--losses', default=None, help='comma list of segm,depth,normals (default: all model tasks)')
    ap.add_argument('--scheme', default=DEFAULT_TRAIN.scheme, choices=SCHEMES)
    ap.add_argument('--lambda-segm', type=float, default=DEFAULT_TRAIN.lambda_segm)
    ap.add_argument('--init-from', default=None, help='start from these weights (fresh optimiser)')
    ap.add_argument('--lr-scale', type=float, default=1.0, help='multiply the LRs (fine-tuning: 0.1)')
    ap.add_argument('--resume', default=None, help='continue from OUT/last.ckpt')
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--max-steps', type=int)
    g.add_argument('--epochs', type=int)
    add_train_arguments(ap)
    a = ap.parse_args(argv)
    base = DEFAULT_TEACHER if a.model == 'teacher' else DEFAULT_MODEL
    mc = replace(base, num_classes=a.classes, with_normals=a.normals or base.with_normals)
    if a.width is not None:
        mc = replace(mc, width_mult=a.width)
    if a.imagenet != 'none' and abs(mc.width_mult - 1.0) > 1e-9:
        ap.error(f'ImageNet weights exist for width 1.0 only (got --width/--model width {mc.width_mult}); '
                 'pass --width 1.0 or --imagenet none')
    losses = tuple(a.losses.split(',')) if a.losses else mc.tasks()
    tc = train_config_from_args(a, losses=losses, scheme=a.scheme, lambda_segm=a.lambda_segm,
                                max_steps=a.max_steps, epochs=a.epochs)
    run = TrainRun(data=a.data, out_dir=a.out, name=a.name, model=mc, data_config=data_config_from_args(a), train=tc,
                   init_from=a.init_from, lr_scale=a.lr_scale, resume=a.resume)
    res = train_phase(run)
    print(json.dumps(asdict(res)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
