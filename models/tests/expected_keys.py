"""The published state_dict keys and shapes, written from shared/reference/network.md's rules, not
from the model code, so the model is checked against the fact sheet."""
from collections import OrderedDict

# (stage, [(in, mid, out), ...]) for layer2..layer8, from the fact sheet's block list.
BLOCKS = {
    2: [(32, 32, 16)],
    3: [(16, 96, 24), (24, 144, 24)],
    4: [(24, 144, 32), (32, 192, 32), (32, 192, 32)],
    5: [(32, 192, 64), (64, 384, 64), (64, 384, 64), (64, 384, 64)],
    6: [(64, 384, 96), (96, 576, 96), (96, 576, 96)],
    7: [(96, 576, 160), (160, 960, 160), (160, 960, 160)],
    8: [(160, 960, 320)],
}


def _bn(prefix, c, with_nbt):
    out = [(f'{prefix}.weight', [c]), (f'{prefix}.bias', [c]), (f'{prefix}.running_mean', [c]),
           (f'{prefix}.running_var', [c])]
    if with_nbt:
        out.append((f'{prefix}.num_batches_tracked', []))
    return out


def expected_state_dict_shapes(num_classes=40, normals=False, with_nbt=True):
    keys = [('layer1.0.weight', [32, 3, 3, 3])] + _bn('layer1.1', 32, with_nbt)
    for k, blocks in BLOCKS.items():
        for i, (cin, mid, cout) in enumerate(blocks):
            p = f'layer{k}.{i}.output'
            keys.append((f'{p}.0.0.weight', [mid, cin, 1, 1]))
            keys += _bn(f'{p}.0.1', mid, with_nbt)
            keys.append((f'{p}.1.0.weight', [mid, 1, 3, 3]))
            keys += _bn(f'{p}.1.1', mid, with_nbt)
            keys.append((f'{p}.2.0.weight', [cout, mid, 1, 1]))
            keys += _bn(f'{p}.2.1', cout, with_nbt)
    for name, cin in (('conv8', 320), ('conv7', 160), ('conv6', 96), ('conv5', 64), ('conv4', 32), ('conv3', 24)):
        keys.append((f'{name}.weight', [256, cin, 1, 1]))
    for crp in ('crp4', 'crp3', 'crp2'):
        keys += [(f'{crp}.0.{j}_outvar_dimred.weight', [256, 256, 1, 1]) for j in range(1, 5)]
    keys += [(f'crp1.0.{j}_outvar_dimred.weight', [256, 1, 1, 1]) for j in range(1, 5)]
    keys += [(f'conv_adapt{j}.weight', [256, 256, 1, 1]) for j in (4, 3, 2)]
    keys += [('pre_depth.weight', [256, 1, 1, 1]), ('depth.weight', [1, 256, 3, 3]), ('depth.bias', [1])]
    keys += [('pre_segm.weight', [256, 1, 1, 1]), ('segm.weight', [num_classes, 256, 3, 3]), ('segm.bias', [num_classes])]
    if normals:
        keys += [('pre_normal.weight', [256, 1, 1, 1]), ('normal.weight', [3, 256, 3, 3]), ('normal.bias', [3])]
    return OrderedDict(keys)
