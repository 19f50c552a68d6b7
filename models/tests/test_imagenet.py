"""The shipped ImageNet encoder weights: every encoder tensor filled, and the encoder still recognises photos."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import REPO_ROOT
from semslam_net.imagenet import (DEFAULT_IMAGENET_ENCODER, ImageNetClassifier, ImageNetWeightsError,
                                  load_imagenet_encoder, read_encoder_weights, torchvision_to_encoder)
from semslam_net.model import JointNet

SHARED_WEIGHTS = os.path.join(REPO_ROOT, '..', 'shared', 'weights')
TV_FILE = os.path.join(SHARED_WEIGHTS, 'mobilenet_v2_imagenet_bncalib.pth')
PHOTOS = {'cat_720p.jpg': 'Egyptian cat', 'parrot.jpg': 'macaw', 'hot_dog.jpg': 'hotdog, hot dog, red hot'}


def _need_shared():
    if not os.path.exists(TV_FILE):
        pytest.fail(f'{TV_FILE} is missing: the ImageNet classifier and photos come from ../shared/weights/')


def test_every_encoder_tensor_is_filled_and_none_keeps_its_init():
    m = JointNet()
    m.reset_parameters('kaiming')
    before = {k: v.clone() for k, v in m.state_dict().items()}
    n = load_imagenet_encoder(m, DEFAULT_IMAGENET_ENCODER)
    after = m.state_dict()
    enc = [k for k in after if k.startswith('layer') and not k.endswith('num_batches_tracked')]
    assert n == len(enc) == 260
    # A tensor equal to its init would be one the loader skipped (BN init is ones/zeros, convs are random).
    unchanged = [k for k in enc if torch.equal(before[k], after[k])]
    # layer2.0's t = 1 expansion is set to the identity: its BN bias and running mean are zeros, as the init.
    allowed = {'layer2.0.output.0.1.bias', 'layer2.0.output.0.1.running_mean', 'layer2.0.output.0.1.weight'}
    assert set(unchanged) <= allowed, unchanged
    # The decoder is untouched.
    assert torch.equal(before['conv8.weight'], after['conv8.weight'])


def test_shipped_file_matches_the_torchvision_file():
    _need_shared()
    shipped = read_encoder_weights(DEFAULT_IMAGENET_ENCODER)
    converted = torchvision_to_encoder(torch.load(TV_FILE, map_location='cpu'), TV_FILE)
    assert shipped.keys() == converted.keys()
    for k in shipped:
        assert torch.equal(shipped[k], converted[k]), k


def _centre_crop(path: str) -> torch.Tensor:
    im = Image.open(path).convert('RGB')
    w, h = im.size
    s = 256 / min(w, h)
    im = im.resize((round(w * s), round(h * s)), Image.BILINEAR)
    w, h = im.size
    left, top = (w - 224) // 2, (h - 224) // 2
    x = np.asarray(im.crop((left, top, left + 224, top + 224)), np.float32) / 255.0
    x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def test_our_encoder_plus_the_imagenet_classifier_recognises_the_photos():
    _need_shared()
    labels = open(os.path.join(SHARED_WEIGHTS, 'imagenet_labels.txt'), encoding='utf8').read().splitlines()[1:]
    enc = JointNet()
    load_imagenet_encoder(enc, DEFAULT_IMAGENET_ENCODER)
    net = ImageNetClassifier(enc, torch.load(TV_FILE, map_location='cpu')).eval()
    with torch.no_grad():
        for photo, want in PHOTOS.items():
            p = net(_centre_crop(os.path.join(SHARED_WEIGHTS, 'photos', photo))).softmax(1)[0]
            conf, idx = p.max(0)
            assert labels[int(idx)] == want, f'{photo}: {labels[int(idx)]} ({float(conf):.2f})'
            assert float(conf) > 0.5


def test_a_file_that_is_not_weights_is_named(tmp_path):
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a torch file')
    with pytest.raises(ImageNetWeightsError, match='bad.pth'):
        read_encoder_weights(str(bad))
    with pytest.raises(ImageNetWeightsError, match='not found'):
        read_encoder_weights(str(tmp_path / 'absent.pth'))
