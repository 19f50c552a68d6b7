# Runs the repo's recipe unchanged, except that labelling S1 waits until S1 generation has finished and
# then uses a fixed, evenly spread subset of S1 (the CPU budget cannot label or consume all 20,000 views).
import os, sys, time
sys.path.insert(0, '/work/main/models')
import semslam_net.recipe as r
FULL, USE, EVERY = '/work/data/s1', '/work/data/s1use', 7
def build_subset():
    os.makedirs(USE, exist_ok=True)
    ids = [l.strip() for l in open(os.path.join(FULL, 'index.txt')) if l.strip()]
    pick = ids[::EVERY]
    for i in pick:
        for f in (f'{i}.png', f'depth_gt_{i}.png'):
            dst = os.path.join(USE, f)
            if not os.path.exists(dst): os.symlink(os.path.join(FULL, f), dst)
    open(os.path.join(USE, 'index.txt'), 'w').write('\n'.join(pick) + '\n')
    print(f'[drive] S1 subset: {len(pick)} of {len(ids)} views (every {EVERY}th)', file=sys.stderr, flush=True)
orig = r.label_folder
def wait_then_label(*a, **k):
    while not os.path.exists('/work/data/gen.done'):
        print('[drive] waiting for S1 generation', file=sys.stderr, flush=True); time.sleep(30)
    build_subset()
    return orig(*a, **k)
r.label_folder = wait_then_label
sys.exit(r.main(sys.argv[1:]))
