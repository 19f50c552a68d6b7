"""A few real training steps on tiny generated data (toydata)."""
import json
import os
from dataclasses import replace

import pytest
import torch

from semslam_net.config import DEFAULT_TRAIN, DataConfig, ModelConfig
from semslam_net.checkpoint import load_published
from semslam_net.evaluate import evaluate
from semslam_net.label import label_folder
from semslam_net.model import JointNet
from semslam_net.toydata import TOY_CLASSES, write_toy_folder
from semslam_net.train import TrainRun, train_phase

TINY = DataConfig(crop=32)
MODEL = ModelConfig(num_classes=TOY_CLASSES)


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    base = tmp_path_factory.mktemp('toy')
    s2, s1, test = str(base / 's2'), str(base / 's1'), str(base / 'test')
    write_toy_folder(s2, 8, 40, 48, seed=1)
    write_toy_folder(s1, 8, 40, 48, seed=2, labels=False)
    write_toy_folder(test, 2, 40, 48, seed=3)
    return {'s2': s2, 's1': s1, 'test': test, 'base': str(base)}


def _cfg(**kw):
    base = dict(batch_size=4, log_every=5, checkpoint_every=1000, threads=1, device='cpu')
    base.update(kw)
    return replace(DEFAULT_TRAIN, **base)


def _init_model(cfg):
    torch.manual_seed(cfg.seed)
    m = JointNet(MODEL)
    m.reset_parameters(cfg.init)
    return m


def test_joint_training_reduces_the_loss(toy):
    run = TrainRun(data=[toy['s2']], out_dir=os.path.join(toy['base'], 'joint'), model=MODEL, data_config=TINY,
                   train=_cfg(max_steps=30, poly_power=0.0))
    res = train_phase(run, log=open(os.devnull, 'w'))
    assert res.steps == 30 and res.images == 120
    assert res.final_losses['total'] < 0.8 * res.first_losses['total']
    assert res.final_losses['segm'] < res.first_losses['segm']
    assert res.final_losses['depth'] < res.first_losses['depth']
    ck = torch.load(res.checkpoint)
    assert set(ck) >= {'state_dict', 'optimizer', 'scheduler', 'step', 'config', 'training'}
    assert ck['step'] == 30 and ck['config']['model']['num_classes'] == TOY_CLASSES
    model, cfg = load_published(res.checkpoint)
    metrics = evaluate(model, toy['test'], progress=False)
    assert 0.0 <= metrics['segmentation']['miou'] <= 1.0 and metrics['depth']['rmse'] > 0


def test_adam_option_trains_and_resumes_with_its_own_state(toy):
    out = os.path.join(toy['base'], 'adam')
    cfg = _cfg(max_steps=20, poly_power=0.0, optimizer='adam', lr_encoder=1e-3, lr_decoder=1e-3)
    res = train_phase(TrainRun(data=[toy['s2']], out_dir=out, model=MODEL, data_config=TINY, train=cfg), log=open(os.devnull, 'w'))
    assert res.final_losses['total'] < 0.8 * res.first_losses['total']
    ck = torch.load(res.checkpoint)
    # Adam keeps per-parameter moments; SGD would keep only momentum buffers.
    assert any('exp_avg_sq' in st for st in ck['optimizer']['state'].values())
    with pytest.raises(ValueError, match='sgd or adam'):
        from semslam_net.train import build_optimizer
        build_optimizer(_init_model(cfg), replace(cfg, optimizer='rmsprop'))


def test_resume_continues_at_the_saved_step(toy):
    out = os.path.join(toy['base'], 'resume')
    cfg = _cfg(max_steps=4, checkpoint_every=2)
    train_phase(TrainRun(data=[toy['s2']], out_dir=out, model=MODEL, data_config=TINY, train=cfg), log=open(os.devnull, 'w'))
    res = train_phase(TrainRun(data=[toy['s2']], out_dir=out, model=MODEL, data_config=TINY,
                               train=replace(cfg, max_steps=6), resume=os.path.join(out, 'last.ckpt')),
                      log=open(os.devnull, 'w'))
    assert res.steps == 6 and res.images == 2 * 4


def test_blitznet_heads_only_update_when_their_labels_are_seen(toy):
    cfg = _cfg(max_steps=3, scheme='blitznet')
    res = train_phase(TrainRun(data=[toy['s1'] + '@none'], out_dir=os.path.join(toy['base'], 'blitz'), model=MODEL,
                               data_config=TINY, train=cfg), log=open(os.devnull, 'w'))
    init = _init_model(cfg).state_dict()
    trained = torch.load(res.checkpoint)['state_dict']
    assert torch.equal(trained['segm.weight'], init['segm.weight'])  # no segmentation label in S1
    assert not torch.equal(trained['depth.weight'], init['depth.weight'])
    assert not torch.equal(trained['conv8.weight'], init['conv8.weight'])


@pytest.mark.parametrize('steps,shared_changed', [(7, False), (8, True)])
def test_ubernet_accumulates_until_enough_examples(toy, steps, shared_changed):
    # batch 4: heads step after 3 batches (12 >= 10 examples); shared weights after 8 (32 >= 30).
    cfg = _cfg(max_steps=steps, scheme='ubernet', ubernet_task_every=10, ubernet_shared_every=30)
    res = train_phase(TrainRun(data=[toy['s2']], out_dir=os.path.join(toy['base'], f'uber{steps}'), model=MODEL,
                               data_config=TINY, train=cfg), log=open(os.devnull, 'w'))
    init = _init_model(cfg).state_dict()
    trained = torch.load(res.checkpoint)['state_dict']
    assert not torch.equal(trained['segm.weight'], init['segm.weight'])
    assert torch.equal(trained['layer3.0.output.0.0.weight'], init['layer3.0.output.0.0.weight']) != shared_changed
    assert torch.equal(trained['conv8.weight'], init['conv8.weight']) != shared_changed


def test_teacher_labels_a_depth_only_folder(toy):
    model = JointNet(replace(MODEL, with_depth=False))
    info = label_folder(model, toy['s1'], log=open(os.devnull, 'w'))
    assert info['images'] == 8
    from semslam_net.data import LabelledFolder
    t = LabelledFolder(toy['s1'], train=False, segm_source='teacher')[0]
    assert bool(t['has_segm']) and t['segm'].shape == (40, 48) and int(t['segm'].max()) < TOY_CLASSES


def test_a_time_boxed_phase_fits_its_steps_to_the_budget_and_still_decays_the_lr(toy):
    from semslam_net.train import TIME_BOX_WARMUP_STEPS
    cfg = _cfg(max_steps=100000, max_minutes=0.03)
    run = TrainRun(data=[toy['s2']], out_dir=os.path.join(toy['base'], 'boxed'), model=MODEL, data_config=TINY, train=cfg)
    res = train_phase(run, log=open(os.devnull, 'w'))
    assert TIME_BOX_WARMUP_STEPS < res.steps < 100000
    ck = torch.load(res.checkpoint)
    assert ck['step'] == res.steps
    # The poly schedule was re-fitted to the shortened phase: it ends at zero, not part-way down.
    assert all(g['lr'] == 0.0 for g in ck['optimizer']['param_groups'])
