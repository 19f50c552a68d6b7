import os

import numpy as np
import pytest
import torch

from conftest import REAL_DATA
from semslam_net.config import DataConfig, IMAGENET_MEAN, IMAGENET_STD
from semslam_net.data import (DatasetError, LabelledFolder, list_ids, load_sample, parse_data_spec,
                              random_crop_mirror, to_tensors)
from semslam_net.toydata import write_toy_folder

JOINT = os.path.join(REAL_DATA, 'nyud-labelled', 'ExpNYUD_joint')
THREE = os.path.join(REAL_DATA, 'nyud-labelled', 'ExpNYUD_three')


def test_reads_the_real_nyud_labelled_frame():
    assert list_ids(JOINT) == ['000464']
    s = load_sample(JOINT, '000464')
    assert s.rgb.shape == (480, 640, 3) and s.rgb.dtype == np.uint8
    valid = s.depth[s.depth > 0]
    assert valid.size > 0.5 * s.depth.size
    assert 0.3 < valid.min() and valid.max() < 10.0  # metres (PNG / 5000)
    labels = set(np.unique(s.segm).tolist())
    assert labels - {255} <= set(range(40)) and len(labels - {255}) > 3


def test_full_frame_tensors_are_imagenet_normalised():
    s = load_sample(JOINT, '000464')
    t = to_tensors(s)
    px = s.rgb[100, 200].astype(np.float32) / 255
    expected = (px - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    assert np.allclose(t['image'][:, 100, 200].numpy(), expected, atol=1e-5)
    assert t['segm'].dtype == torch.long and bool(t['has_segm']) and bool(t['has_depth'])


def test_real_normals_decode_to_unit_vectors():
    s = load_sample(THREE, '000433', with_normals=True)
    n = np.linalg.norm(s.normals, axis=2)
    valid = n > 0
    assert valid.mean() > 0.5
    assert abs(float(n[valid].mean()) - 1.0) < 0.05


def test_training_crop_of_the_real_frame():
    ds = LabelledFolder(JOINT, DataConfig(crop=350), train=True, seed=1)
    t = ds[0]
    assert t['image'].shape == (3, 350, 350) and t['segm'].shape == (350, 350) and t['depth'].shape == (350, 350)


def test_small_images_are_padded_with_void_and_missing_depth():
    t = {'image': torch.ones(3, 4, 5), 'segm': torch.zeros(4, 5, dtype=torch.long), 'depth': torch.ones(4, 5),
         'normals': torch.zeros(3, 4, 5)}
    out = random_crop_mirror(t, 8, mirror=False, rng=np.random.default_rng(0))
    assert out['image'].shape == (3, 8, 8)
    assert int((out['segm'] == 255).sum()) == 64 - 20
    assert int((out['depth'] == 0).sum()) == 64 - 20
    assert float(out['image'].sum()) == 3 * 20


def test_mirror_flips_every_field_together_and_negates_normal_x():
    img = torch.arange(2 * 6, dtype=torch.float32).view(1, 2, 6).repeat(3, 1, 1)
    t = {'image': img.clone(), 'segm': img[0].long().clone(), 'depth': img[0].clone(),
         'normals': torch.tensor([0.5, 0.2, 0.8]).view(3, 1, 1).repeat(1, 2, 6)}
    flipped = None
    for seed in range(20):  # find a seed whose coin says mirror
        out = random_crop_mirror({k: v.clone() for k, v in t.items()}, 2, mirror=True, rng=np.random.default_rng(seed))
        if float(out['normals'][0, 0, 0]) < 0:
            flipped = out
            break
    assert flipped is not None
    # the crop of a mirrored row is decreasing, and all fields agree
    assert bool((flipped['segm'][:, 0] > flipped['segm'][:, 1]).all())
    assert torch.equal(flipped['segm'].float(), flipped['depth'])
    assert torch.equal(flipped['image'][0], flipped['depth'])
    assert torch.allclose(flipped['normals'][:, 0, 0], torch.tensor([-0.5, 0.2, 0.8]))


def test_depth_only_and_teacher_sources(tmp_path):
    root = str(tmp_path / 's1')
    write_toy_folder(root, 2, labels=False)
    t = LabelledFolder(root, train=False, segm_source='gt')[0]
    assert not bool(t['has_segm']) and bool((t['segm'] == 255).all()) and bool(t['has_depth'])
    with pytest.raises(DatasetError, match='teacher'):
        LabelledFolder(root, train=False, segm_source='teacher')[0]
    assert parse_data_spec(root + '@teacher') == (root, 'teacher')
    with pytest.raises(ValueError):
        parse_data_spec(root + '@bogus')


def test_missing_folder_is_reported():
    with pytest.raises(DatasetError, match='not a directory'):
        list_ids('/nonexistent/semslam')
