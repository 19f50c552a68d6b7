import math

import numpy as np
import torch

from semslam_net.losses import berhu_loss, normals_loss, segmentation_loss
from semslam_net.metrics import ConfusionMatrix, DepthErrors


def test_berhu_by_hand():
    pred = torch.tensor([1.0, 2.0, 3.0, 4.0, 9.0]).view(1, 1, 1, 5)
    gt = torch.tensor([1.5, 2.0, 0.0, 2.0, 4.0]).view(1, 1, 5)
    # valid: gt > 0 -> diffs -0.5, 0, 2, 5 ; c = 0.2 * 5 = 1
    # costs: 0.5, 0, (4+1)/2 = 2.5, (25+1)/2 = 13  -> mean 16/4 = 4
    assert abs(float(berhu_loss(pred, gt)) - 4.0) < 1e-6


def test_berhu_upsamples_prediction_to_label_size():
    pred = torch.full((1, 1, 2, 2), 3.0)
    gt = torch.full((1, 4, 4), 2.0)
    # |d| = 1 everywhere, c = 0.2 * 1 = 0.2 < |d| -> (1 + 0.04) / 0.4 = 2.6
    assert abs(float(berhu_loss(pred, gt)) - 2.6) < 1e-6
    gt2 = torch.tensor([[2.0, 2.0, 2.0, 2.9]]).repeat(4, 1)[None]
    # diffs 1, 1, 1, 0.1 per row; c = 0.2 -> 2.6, 2.6, 2.6, 0.1 -> mean 1.975
    assert abs(float(berhu_loss(pred, gt2)) - 1.975) < 1e-5


def test_cross_entropy_ignores_void():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]]).T.reshape(1, 2, 1, 2)  # pixel0: [2,0], pixel1: [0,1]
    target = torch.tensor([[[0, 255]]])
    expected = -math.log(math.exp(2) / (math.exp(2) + 1))
    assert abs(float(segmentation_loss(logits, target)) - expected) < 1e-6
    all_void = torch.full((1, 1, 2), 255)
    assert float(segmentation_loss(logits, all_void)) == 0.0


def test_normals_negative_cosine():
    pred = torch.tensor([0.0, 0.0, 2.0]).view(1, 3, 1, 1).repeat(1, 1, 1, 2)
    gt = torch.tensor([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]).view(1, 3, 1, 2)  # second pixel invalid
    assert abs(float(normals_loss(pred, gt)) + 1.0) < 1e-6


def test_confusion_matrix_miou_over_present_classes():
    cm = ConfusionMatrix(4)
    gt = np.array([0, 0, 1, 1, 255])
    pred = np.array([0, 1, 1, 1, 3])
    cm.update(pred, gt)
    r = cm.compute(['a', 'b', 'c', 'd'])
    # class a: tp 1, union 2 -> 0.5; class b: tp 2, union 3 -> 2/3; c, d absent from gt
    assert abs(r.miou - (0.5 + 2 / 3) / 2) < 1e-9
    assert abs(r.pixel_acc - 0.75) < 1e-9
    assert r.per_class_iou['c'] is None and r.pixels == 4


def test_depth_errors_by_hand():
    de = DepthErrors()
    de.update(np.array([2.0, 1.0, 5.0]), np.array([1.0, 1.0, 0.0]))
    r = de.compute()
    assert abs(r.rmse - math.sqrt(0.5)) < 1e-9
    assert abs(r.abs_rel - 0.5) < 1e-9
    assert abs(r.delta1 - 0.5) < 1e-9 and abs(r.delta2 - 0.5) < 1e-9
    assert r.delta3 == 0.5  # ratio 2 > 1.25^3 = 1.953
    assert abs(r.rmse_log - math.sqrt(math.log(2) ** 2 / 2)) < 1e-9
    assert r.pixels == 2
