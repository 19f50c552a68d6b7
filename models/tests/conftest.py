"""Make `semslam_net` importable when pytest runs from the repository root (npm test) or from models/."""
import os
import sys

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(MODELS_DIR)
if MODELS_DIR not in sys.path:
    sys.path.insert(0, MODELS_DIR)

# Shared real sample data lives beside the repository (../shared/data/real/... from the repo root).
REAL_DATA = os.path.join(REPO_ROOT, '..', 'shared', 'data', 'real')

import torch  # noqa: E402

# One thread: the tensors here are tiny, and on a shared, loaded machine OpenMP threads spin-waiting on
# each other made a 2-thread step ~10x more CPU time than a 1-thread step.
torch.set_num_threads(1)
