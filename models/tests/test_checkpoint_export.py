import json
import os
import re

import onnx
import pytest
import torch

from semslam_net import convert, export
from semslam_net.checkpoint import CheckpointError, load_published
from semslam_net.config import ModelConfig, nyu40_class_names
from semslam_net.model import JointNet

from expected_keys import expected_state_dict_shapes

# Published multi-task-refinenet name -> DenseTorch name (network.md), written independently of
# semslam_net.checkpoint's mapping.
TO_DENSETORCH = [
    (r'^conv([3-8])\.', lambda m: f'stem_convs.{8 - int(m.group(1))}.'),
    (r'^conv_adapt([2-4])\.', lambda m: f'adapt_convs.{4 - int(m.group(1))}.'),
    (r'^crp([1-4])\.', lambda m: f'crp_blocks.{4 - int(m.group(1))}.'),
    (r'^pre_segm\.', lambda m: 'heads.0.0.'), (r'^segm\.', lambda m: 'heads.0.2.'),
    (r'^pre_depth\.', lambda m: 'heads.1.0.'), (r'^depth\.', lambda m: 'heads.1.2.'),
]


def _densetorch_name(k):
    for pat, rep in TO_DENSETORCH:
        m = re.match(pat, k)
        if m:
            return 'module.1.' + rep(m) + k[m.end():]
    return 'module.0.' + k  # encoder


def _random_published_sd(num_classes=40, normals=False, seed=0):
    """A state dict built from the fact sheet's key table with random values (as a published file)."""
    g = torch.Generator().manual_seed(seed)
    sd = {}
    for k, shape in expected_state_dict_shapes(num_classes, normals, with_nbt=False).items():
        sd[k] = torch.rand(shape, generator=g) + 0.5 if k.endswith('running_var') else torch.randn(shape, generator=g) * 0.05
    return sd


def _forward(model, x):
    with torch.no_grad():
        return model.eval()(x)


@pytest.mark.parametrize('variant', ['published', 'module', 'densetorch'])
def test_published_checkpoints_load_strict(tmp_path, variant):
    sd = _random_published_sd()
    if variant == 'module':
        file_sd = {'module.' + k: v for k, v in sd.items()}
    elif variant == 'densetorch':
        file_sd = {_densetorch_name(k): v for k, v in sd.items()}
    else:
        file_sd = sd
    path = str(tmp_path / 'ExpNYUD_joint.ckpt')
    torch.save({'state_dict': file_sd}, path)
    model, cfg = load_published(path)
    assert cfg.num_classes == 40 and cfg.with_depth and not cfg.with_normals
    assert torch.equal(model.state_dict()['segm.weight'], sd['segm.weight'])
    assert torch.equal(model.state_dict()['crp1.0.3_outvar_dimred.weight'], sd['crp1.0.3_outvar_dimred.weight'])
    assert torch.equal(model.state_dict()['layer5.2.output.1.1.running_var'], sd['layer5.2.output.1.1.running_var'])
    # Loading is exact: a fresh network given the same tensors computes the same outputs.
    ref = JointNet()
    full = dict(sd)
    full.update({k: v for k, v in ref.state_dict().items() if k.endswith('num_batches_tracked')})
    ref.load_state_dict(full, strict=True)
    x = torch.randn(1, 3, 64, 64)
    for a, b in zip(_forward(model, x), _forward(ref, x)):
        assert torch.equal(a, b)


def test_class_count_and_normals_inferred(tmp_path):
    path = str(tmp_path / 'three.ckpt')
    torch.save({'state_dict': _random_published_sd(num_classes=6, normals=True)}, path)
    _, cfg = load_published(path)
    assert cfg.num_classes == 6 and cfg.with_normals


def test_bad_checkpoints_give_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match='file not found'):
        load_published(str(tmp_path / 'nope.ckpt'))
    p = str(tmp_path / 'garbage.ckpt')
    with open(p, 'wb') as f:
        f.write(b'not a torch file')
    with pytest.raises(CheckpointError, match='garbage.ckpt: cannot be read'):
        load_published(p)
    p2 = str(tmp_path / 'other.ckpt')
    torch.save({'state_dict': {'fc.weight': torch.zeros(2, 2)}}, p2)
    with pytest.raises(CheckpointError, match='do not look like'):
        load_published(p2)
    sd = _random_published_sd()
    del sd['conv_adapt3.weight']
    p3 = str(tmp_path / 'partial.ckpt')
    torch.save({'state_dict': sd}, p3)
    with pytest.raises(CheckpointError, match='conv_adapt3.weight'):
        load_published(p3)


def _meta(m):
    return {p.key: p.value for p in m.metadata_props}


def _dims(vi):
    return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]


def test_export_random_init_contract(tmp_path):
    out = str(tmp_path / 'joint.onnx')
    assert export.main(['--random-init', '--seed', '3', '--out', out]) == 0
    m = onnx.load(out)
    onnx.checker.check_model(m)
    assert m.opset_import[0].version == export.ONNX_OPSET
    assert [i.name for i in m.graph.input] == ['image']
    assert [o.name for o in m.graph.output] == ['segm', 'depth']
    img = _dims(m.graph.input[0])
    assert img[:2] == [1, 3] and all(isinstance(d, str) for d in img[2:])  # dynamic H, W
    segm = _dims(m.graph.output[0])
    assert segm[:2] == [1, 40] and all(isinstance(d, str) for d in segm[2:])
    assert _dims(m.graph.output[1])[:2] == [1, 1]
    meta = _meta(m)
    assert json.loads(meta['class_names']) == list(nyu40_class_names())
    assert json.loads(meta['input_mean']) == [0.485, 0.456, 0.406]
    assert json.loads(meta['input_std']) == [0.229, 0.224, 0.225]
    assert meta['num_classes'] == '40' and meta['output_stride'] == '4'
    assert json.loads(meta['training']) == {'trained': False}


def test_convert_densetorch_three_task_checkpoint(tmp_path):
    sd = _random_published_sd(num_classes=40, normals=True)
    file_sd = {}
    for k, v in sd.items():
        if k.startswith('pre_normal.'):
            file_sd['module.1.heads.2.0.' + k.split('.', 1)[1]] = v
        elif k.startswith('normal.'):
            file_sd['module.1.heads.2.2.' + k.split('.', 1)[1]] = v
        else:
            file_sd[_densetorch_name(k)] = v
    ck = str(tmp_path / 'ExpNYUD_three.ckpt')
    torch.save({'state_dict': file_sd}, ck)
    out = str(tmp_path / 'three.onnx')
    assert convert.main([ck, '--out', out]) == 0
    m = onnx.load(out)
    onnx.checker.check_model(m)
    assert [o.name for o in m.graph.output] == ['segm', 'depth', 'normals']
    assert _dims(m.graph.output[2])[:2] == [1, 3]
    assert 'converted' in _meta(m)['source']


def test_convert_reports_errors_with_the_file_name(tmp_path, capsys):
    assert convert.main([str(tmp_path / 'missing.ckpt'), '--out', str(tmp_path / 'x.onnx')]) == 2
    assert 'missing.ckpt: file not found' in capsys.readouterr().err
    assert not os.path.exists(tmp_path / 'x.onnx')


def test_convert_records_the_frame_size_our_checkpoint_was_trained_at(tmp_path):
    # Without input_size the app feeds 320x256 for 320x240 frames: the same weights gave ~1 cm different trajectories.
    sd = _random_published_sd(num_classes=40)
    ours = str(tmp_path / 'ours.ckpt')
    torch.save({'state_dict': sd, 'config': {'data': {'cache_size': [320, 240]}}}, ours)
    out = str(tmp_path / 'ours.onnx')
    assert convert.main([ours, '--out', out]) == 0
    assert _meta(onnx.load(out))['input_size'] == '320x240'
    published = str(tmp_path / 'published.ckpt')
    torch.save({'state_dict': sd}, published)
    assert convert.main([published, '--out', out]) == 0
    assert 'input_size' not in _meta(onnx.load(out))
    assert convert.main([published, '--out', out, '--input-size', '640x480']) == 0
    assert _meta(onnx.load(out))['input_size'] == '640x480'


def test_convert_rejects_a_bad_input_size_before_writing(tmp_path, capsys):
    ck = str(tmp_path / 'p.ckpt')
    torch.save({'state_dict': _random_published_sd(num_classes=40)}, ck)
    assert convert.main([ck, '--out', str(tmp_path / 'x.onnx'), '--input-size', '320by240']) == 2
    assert '--input-size' in capsys.readouterr().err
    assert not os.path.exists(tmp_path / 'x.onnx')


def test_export_flushes_subnormal_weights_and_keeps_the_rest(tmp_path):
    import numpy as np
    from onnx import numpy_helper
    torch.manual_seed(0)
    model = JointNet(ModelConfig()).eval()
    tiny = float(np.finfo(np.float32).tiny)
    # The segmentation head's conv (constant folding leaves it as it is): weights made subnormal, one just normal.
    name = 'segm.weight'
    w = dict(model.named_parameters())[name]
    with torch.no_grad():
        flat = w.view(-1)
        flat[:7] = torch.tensor([1e-40, -3e-39, 1e-45, 2e-39, -1e-41, 5e-42, 1e-39])
        flat[7] = tiny
        kept = flat[8:20].clone()
    out = str(tmp_path / 'sub.onnx')
    export.export_onnx(model, out)
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(out).graph.initializer}
    floats = [a for a in inits.values() if a.dtype == np.float32]
    assert all(int(((a != 0) & (np.abs(a) < tiny)).sum()) == 0 for a in floats), 'a subnormal weight survived export'
    # The flushed tensor is still there, with its normal values untouched (it is matched by its values).
    match = [a.reshape(-1) for a in floats if a.size == flat.numel() and np.allclose(a.reshape(-1)[8:20], kept.numpy())]
    assert len(match) == 1, f'{name} not found unchanged among the initializers'
    assert (match[0][:7] == 0).all() and match[0][7] == np.float32(tiny)
