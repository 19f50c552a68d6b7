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

# Tests share 2 cores with other work; keep torch from oversubscribing.
torch.set_num_threads(2)
