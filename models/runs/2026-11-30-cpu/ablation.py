# The recipe's Table III baseline phase (S2 only, joint), trained in a second process with the recipe's own
# settings so that the recipe finds it finished (same phase name, steps and config) and only evaluates it.
import argparse, os, sys
sys.path.insert(0, '/work/main/models')
from semslam_net.config import DEFAULT_MODEL
from semslam_net.train import TrainRun, add_train_arguments, data_config_from_args, train_config_from_args, train_phase
ap = argparse.ArgumentParser(); add_train_arguments(ap)
ap.add_argument('--out'); ap.add_argument('--s2'); ap.add_argument('--steps', type=int)
a = ap.parse_args()
import torch; torch.set_num_threads(a.threads)
out = os.path.join(a.out, 'ablation_s2_joint'); last = os.path.join(out, 'last.ckpt')
tc = train_config_from_args(a, losses=('segm', 'depth'), scheme='joint', max_steps=a.steps)
run = TrainRun(data=[a.s2], out_dir=out, name='ablation_s2_joint', model=DEFAULT_MODEL, data_config=data_config_from_args(a),
               train=tc, resume=last if os.path.exists(last) else None)
print(train_phase(run))
