"""The training input pipeline and run mechanics added with the ImageNet encoder: cache, augmentation, real
7-Scenes frames, frozen encoder layers, task balance, resumable totals, ONNX labelling."""
import json
import os
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pytest
import torch

from conftest import REAL_DATA, REPO_ROOT
from semslam_net.augment import NO_PHOTOMETRIC, AugmentConfig, augment
from semslam_net.cache import CachedDataset, build_cache
from semslam_net.config import DEFAULT_TRAIN, DataConfig, ModelConfig, VOID_LABEL
from semslam_net.imagenet import load_imagenet_encoder
from semslam_net.model import JointNet
from semslam_net.real import mask_discontinuities, prepare_seven_scenes, warp_depth_to_colour
from semslam_net.toydata import TOY_CLASSES, write_toy_folder
from semslam_net.train import TaskBalance, TrainRun, freeze_encoder_below, train_phase

MODEL = ModelConfig(num_classes=TOY_CLASSES)


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    base = tmp_path_factory.mktemp('toy12')
    s2 = str(base / 's2')
    write_toy_folder(s2, 6, 40, 48, seed=1)
    return {'s2': s2, 'base': str(base)}


def test_cache_holds_the_decoded_frames_and_is_rebuilt_when_the_folder_changes(toy, tmp_path):
    root = str(tmp_path / 'f')
    shutil.copytree(toy['s2'], root)
    c = build_cache(root, 'gt')
    from semslam_net.data import load_sample
    s = load_sample(root, c.ids[2])
    assert np.array_equal(np.asarray(c.rgb[2]), s.rgb)
    assert np.array_equal(np.asarray(c.segm[2]), s.segm)
    assert np.allclose(np.asarray(c.depth[2], np.float32), s.depth, atol=2e-3 * s.depth.max())
    assert c.has_segm.all() and c.has_depth.all()
    # A second open reuses the files; a changed folder (a new frame) rebuilds.
    mtime = os.path.getmtime(os.path.join(c.path, 'rgb.npy'))
    assert os.path.getmtime(os.path.join(build_cache(root, 'gt').path, 'rgb.npy')) == mtime
    ids = c.ids
    shutil.copy(os.path.join(root, f'{ids[0]}.png'), os.path.join(root, '999999.png'))
    shutil.copy(os.path.join(root, f'depth_gt_{ids[0]}.png'), os.path.join(root, 'depth_gt_999999.png'))
    shutil.copy(os.path.join(root, f'segm_gt_{ids[0]}.png'), os.path.join(root, 'segm_gt_999999.png'))
    idx = os.path.join(root, 'index.txt')
    if os.path.exists(idx):
        with open(idx, 'a', encoding='utf8') as f:
            f.write('999999\n')
    assert len(build_cache(root, 'gt')) == len(ids) + 1
    # Without labels, segmentation is void everywhere and flagged absent.
    n = build_cache(root, 'none')
    assert not n.has_segm.any() and (np.asarray(n.segm) == VOID_LABEL).all()


def test_augment_divides_depth_by_the_scale_and_pads_with_void():
    rng = np.random.default_rng(0)
    rgb = np.full((40, 48, 3), 100, np.uint8)
    depth = np.full((40, 48), 2.0, np.float32)
    segm = np.full((40, 48), 3, np.uint8)
    for lo in (0.5, 2.0):
        cfg = replace(NO_PHOTOMETRIC, crop=32, scale_range=(lo, lo), mirror=False)
        im, d, g = augment(rgb, depth, segm, cfg, rng)
        assert im.shape == (32, 32, 3) and d.shape == (32, 32) and g.shape == (32, 32)
        valid = g != VOID_LABEL
        assert np.allclose(d[valid], 2.0 / lo)
        assert (d[~valid] == 0).all()
        if lo == 0.5:  # 20x24 image in a 32x32 crop: the rest is padding
            assert valid.sum() == 20 * 24
        else:
            assert valid.all()


def test_photometric_augmentation_changes_colours_but_not_geometry():
    rng = np.random.default_rng(1)
    rgb = np.random.default_rng(2).integers(0, 255, (40, 48, 3), dtype=np.uint8)
    depth = np.full((40, 48), 1.0, np.float32)
    segm = np.zeros((40, 48), np.uint8)
    cfg = AugmentConfig(crop=40, scale_range=(1.0, 1.0), mirror=False, colour=1.0, blur=1.0, noise=1.0, jpeg=1.0)
    im, d, g = augment(rgb, depth, segm, cfg, rng)
    assert (g == 0).all() and np.allclose(d, 1.0)
    # Whichever 40-px window the crop took, the colours differ from the input's.
    diffs = [np.abs(im.astype(int) - rgb[:, x0:x0 + 40].astype(int)).mean() for x0 in range(9)]
    assert min(diffs) > 5


def test_warp_maps_depth_into_the_wider_colour_camera():
    d = np.zeros((48, 64), np.float32)
    d[14:34, 20:44] = 1.5  # a patch in front of nothing
    w = warp_depth_to_colour(d, depth_f=585.0, colour_f=525.0)
    ys, xs = np.nonzero(w)
    assert np.allclose(w[ys, xs], 1.5)
    # The colour camera sees wider, so the patch shrinks towards the centre by 525/585.
    assert xs.max() - xs.min() < 23 and ys.max() - ys.min() < 19
    m = mask_discontinuities(w)
    assert (m[ys.min(), :] == 0).all()  # the patch's border touches a hole: masked
    assert m[24, 32] == 1.5


def test_seven_scenes_frames_become_a_depth_only_folder(tmp_path):
    src = os.path.join(REAL_DATA, '7scenes-redkitchen-0-499')
    if not os.path.isdir(src):
        pytest.fail(f'{src} missing: the real 7-Scenes frames are expected in ../shared/data/real/')
    sub = tmp_path / 'src'
    sub.mkdir()
    for n in ('frame-000000.color.jpg', 'frame-000000.depth.png', 'frame-000001.color.jpg', 'frame-000001.depth.png'):
        shutil.copy(os.path.join(src, n), sub / n)
    out = str(tmp_path / 'out')
    assert prepare_seven_scenes(str(sub), out, (160, 120)) == 2
    c = build_cache(out, 'none')
    assert c.rgb.shape == (2, 120, 160, 3)
    d = np.asarray(c.depth[0], np.float32)
    assert 0.3 < float(np.median(d[d > 0])) < 4.0 and (d > 0).mean() > 0.4
    with pytest.raises(ValueError, match='not a 7-Scenes folder'):
        prepare_seven_scenes(str(tmp_path), str(tmp_path / 'x'))


def test_frozen_layers_do_not_move_and_uncertainty_weights_learn(toy):
    cfg = replace(DEFAULT_TRAIN, batch_size=2, log_every=2, checkpoint_every=1000, threads=1, device='cpu',
                  optimizer='adam', lr_decoder=1e-3, lr_encoder=1e-3, train_encoder_from=5, balance='uncertainty',
                  max_steps=4)
    out = os.path.join(toy['base'], 'frozen')
    data = DataConfig(crop=32, cache_size=(48, 40))
    torch.manual_seed(0)
    ref = JointNet(MODEL)
    ref.reset_parameters(cfg.init)
    res = train_phase(TrainRun(data=[toy['s2']], out_dir=out, model=MODEL, data_config=data, train=cfg),
                      log=open(os.devnull, 'w'))
    ck = torch.load(res.checkpoint, map_location='cpu')
    sd = ck['state_dict']
    assert torch.equal(sd['layer1.0.weight'], ref.state_dict()['layer1.0.weight'])
    assert torch.equal(sd['layer4.0.output.0.0.weight'], ref.state_dict()['layer4.0.output.0.0.weight'])
    assert not torch.equal(sd['layer5.0.output.0.0.weight'], ref.state_dict()['layer5.0.output.0.0.weight'])
    assert not torch.equal(ck['balance']['log_vars'], torch.zeros(2))
    # Resuming sums the parts: images and hours over both.
    cfg2 = replace(cfg, max_steps=6)
    res2 = train_phase(TrainRun(data=[toy['s2']], out_dir=out, model=MODEL, data_config=data, train=cfg2,
                                resume=os.path.join(out, 'last.ckpt')), log=open(os.devnull, 'w'))
    info = torch.load(res2.checkpoint, map_location='cpu')['training']
    assert info['steps'] == 6 and info['images'] == 12 and info['parts'] == 2


def test_task_balance_uncertainty_downweights_the_larger_loss():
    b = TaskBalance(['segm', 'depth'], 'uncertainty', {'segm': 0.5, 'depth': 0.5})
    opt = torch.optim.SGD(b.parameters(), lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        b({'segm': torch.tensor(0.5), 'depth': torch.tensor(4.0)}).backward()
        opt.step()
    w = b.weights()
    # The optimum of exp(-s) L + s is exp(-s) = 1 / L.
    assert abs(w['segm'] - 2.0) < 0.1 and abs(w['depth'] - 0.25) < 0.02
    with pytest.raises(ValueError):
        TaskBalance(['segm'], 'magic', {})


def test_freezing_counts_parameters():
    m = JointNet()
    load_imagenet_encoder(m)
    n = freeze_encoder_below(m, 9)
    assert n == sum(p.numel() for name, p in m.named_parameters() if name.startswith('layer'))
    assert all(p.requires_grad for name, p in m.named_parameters() if not name.startswith('layer'))


def test_onnx_labeller_matches_torch(toy, tmp_path):
    from semslam_net.export import export_onnx
    from semslam_net.evaluate import predict
    from semslam_net.data import LabelledFolder
    if shutil.which('node') is None or not os.path.isdir(os.path.join(REPO_ROOT, 'node_modules', 'onnxruntime-node')):
        pytest.fail('node and onnxruntime-node are needed (npm ci)')
    torch.manual_seed(0)
    m = JointNet(ModelConfig(num_classes=TOY_CLASSES, with_depth=False)).eval()
    m.reset_parameters('kaiming')  # activations of a usual scale (N(0, 0.01) everywhere leaves them near denormal)
    with torch.no_grad():  # decisive logits: an untrained head's near-ties would flip on rounding alone
        m.segm.weight.mul_(1000.0)
    # Sizes that are multiples of 32, as the app's frames (elsewhere the graph's resizes round differently).
    root = str(tmp_path / 'd')
    write_toy_folder(root, 6, 64, 96, seed=5)
    from semslam_net.checkpoint import save_training_checkpoint
    from semslam_net.label import label_folder_onnx
    ck = str(tmp_path / 'teacher.ckpt')
    save_training_checkpoint(ck, m, step=1, config={'model': {'num_classes': TOY_CLASSES, 'with_depth': False}})
    done = label_folder_onnx(ck, root, 0.0, log=open(os.devnull, 'w'), threads=1)
    assert done['images'] == 6 and done['labelled_fraction'] == 1
    ds = LabelledFolder(root, train=False, segm_source='none', with_depth=False)
    from PIL import Image
    agree = []
    for k, i in enumerate(ds.ids):
        t = ds[k]
        p = predict(m, t['image'][None], t['image'].shape[1:])['segm']
        agree.append((np.asarray(Image.open(os.path.join(root, 'teacher', f'segm_{i}.png'))) == p).mean())
    assert min(agree) > 0.995
