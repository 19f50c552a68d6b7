import pytest
import torch

from semslam_net.config import DEFAULT_TEACHER, ModelConfig
from semslam_net.model import JointNet, count_parameters

from expected_keys import expected_state_dict_shapes


@pytest.mark.parametrize('cfg,expected', [
    (ModelConfig(num_classes=40), 3_070_057),
    (ModelConfig(num_classes=6), 2_991_687),
    (ModelConfig(num_classes=40, with_normals=True), 3_077_228),
    (ModelConfig(num_classes=46), 3_083_887),
])
def test_parameter_count_matches_the_paper(cfg, expected):
    assert count_parameters(JointNet(cfg)) == expected


def test_encoder_and_decoder_parameter_split():
    m = JointNet()
    enc = sum(p.numel() for n, p in m.named_parameters() if n.startswith('layer'))
    assert enc == 1_812_800
    assert count_parameters(m) - enc == 1_257_257


@pytest.mark.parametrize('classes,normals', [(40, False), (6, False), (40, True)])
def test_state_dict_keys_and_shapes_match_the_fact_sheet(classes, normals):
    sd = JointNet(ModelConfig(num_classes=classes, with_normals=normals)).state_dict()
    expected = expected_state_dict_shapes(classes, normals)
    assert set(sd.keys()) == set(expected.keys())
    for k, shape in expected.items():
        assert list(sd[k].shape) == shape, k
    without_nbt = [k for k in sd if not k.endswith('num_batches_tracked')]
    assert len(without_nbt) == 291 + (3 if normals else 0)
    assert sum(1 for k in sd if k.endswith('num_batches_tracked')) == 52


def test_paper_init():
    torch.manual_seed(0)
    m = JointNet()
    w = m.conv8.weight.detach()
    assert abs(float(w.std()) - 0.01) < 5e-4
    assert float(m.segm.bias.abs().max()) == 0.0
    assert float(m.layer1[1].weight.min()) == 1.0 and float(m.layer1[1].bias.abs().max()) == 0.0


@pytest.mark.parametrize('h,w', [(64, 96), (70, 90), (33, 47)])
def test_outputs_at_quarter_resolution_in_return_order(h, w):
    m = JointNet(ModelConfig(num_classes=5, with_normals=True))
    m.reset_parameters('kaiming')
    with torch.no_grad():
        segm, depth, normals = m.eval()(torch.randn(1, 3, h, w))
    q = lambda n: -(-n // 4)  # noqa: E731  the stride-2 convs with padding round up
    assert segm.shape == (1, 5, q(h), q(w))
    assert depth.shape == (1, 1, q(h), q(w))
    assert normals.shape == (1, 3, q(h), q(w))


def test_crp1_is_depthwise_and_others_dense():
    m = JointNet()
    assert m.crp1[0].__getattr__('1_outvar_dimred').groups == 256
    assert m.crp4[0].__getattr__('1_outvar_dimred').groups == 1


def test_teacher_is_wider_and_segmentation_only():
    t = JointNet(DEFAULT_TEACHER)
    assert t.layer1[0].weight.shape[0] == 48  # 32 * 1.4 rounded to a multiple of 8
    assert count_parameters(t) > count_parameters(JointNet())
    with torch.no_grad():
        out = t.eval()(torch.zeros(1, 3, 64, 64))
    assert len(out) == 1 and out[0].shape == (1, 40, 16, 16)
