# The other S2-only rows of Table III (segmentation only, depth only), trained after the shipped run with the same
# settings and steps as the recipe's phases, so that `drive.py ... --ablations s2_joint,s2_segm,s2_depth` finds
# them finished and only evaluates them.
import argparse, os, sys
sys.path.insert(0, '/work/main/models')
from semslam_net.config import DEFAULT_MODEL
from semslam_net.recipe import ABLATIONS
from semslam_net.train import TrainRun, add_train_arguments, data_config_from_args, train_config_from_args, train_phase
ap = argparse.ArgumentParser(); add_train_arguments(ap)
ap.add_argument('--out'); ap.add_argument('--s1'); ap.add_argument('--s2'); ap.add_argument('--steps', type=int); ap.add_argument('--which')
a = ap.parse_args()
import torch; torch.set_num_threads(a.threads)
desc, data_fn, losses, scheme = ABLATIONS[a.which]
out = os.path.join(a.out, f'ablation_{a.which}'); last = os.path.join(out, 'last.ckpt')
tc = train_config_from_args(a, losses=losses, scheme=scheme, max_steps=a.steps)
run = TrainRun(data=data_fn(a.s1, a.s2), out_dir=out, name=f'ablation_{a.which}', model=DEFAULT_MODEL,
               data_config=data_config_from_args(a), train=tc, resume=last if os.path.exists(last) else None)
print(train_phase(run))
