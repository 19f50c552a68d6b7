# Adds the S2-only segmentation-only and depth-only rows (ablation_more.py) to the shipped model's card, evaluated
# exactly as the recipe evaluates its rows (same held-out frames, scale and cap).
import json, os, sys
sys.path.insert(0, '/work/main/models')
import torch
from semslam_net.checkpoint import load_published
from semslam_net.evaluate import evaluate
from semslam_net.recipe import ABLATIONS, _summary, write_card
run, stem = sys.argv[1], sys.argv[2]
card = json.load(open(stem + '.json'))
s = card['settings']
for which in (sys.argv[3].split(',') if len(sys.argv) > 3 else ('s2_segm', 's2_depth')):
    ck = os.path.join(run, f'ablation_{which}', 'final.ckpt')
    desc, _, losses, _ = ABLATIONS[which]
    info = torch.load(ck, map_location='cpu')['training']
    card['phases'].append({**info, 'images_per_s': info['images'] / max(info['seconds'], 1e-9), 'checkpoint': ck,
                           'final_losses': info.get('final_losses', {})})
    m = evaluate(load_published(ck)[0], card['data']['test'], max_images=s['eval_max_images'], scale=s['eval_scale'])
    row = _summary(m)
    if losses == ('segm',):
        row = {k: v for k, v in row.items() if k in ('miou', 'pixel_acc', 'mean_class_acc')}
    if losses == ('depth',):
        row = {k: v for k, v in row.items() if k not in ('miou', 'pixel_acc', 'mean_class_acc')}
    card['table'][desc] = row
    card['metrics'][which] = m
    print(which, row, flush=True)
write_card(stem, card)
