#!/usr/bin/python3
"""Relative pose error window by window, of several trajectories against a reference and against each other.

Where independent trackers agree with each other but all disagree with the reference, the reference is the
suspect: 7-Scenes' poses, for one, are KinectFusion's (a pseudo ground truth; Brachmann et al., "On the Limits of
Pseudo Ground Truth in Visual Camera Re-localisation", ICCV 2021), not a measurement.

Reads TUM trajectories (`timestamp tx ty tz qx qy qz qw`; `semslam map --out-trajectory`,
`open3d_odometry.py --out-trajectory`; the reference from `semslam map --gt-poses --out-trajectory`), pairs
poses by timestamp (within 1 ms), and prints, for every window of frames, the mean RPE over `--delta` frames
(translation mm, rotation degrees) of each trajectory against the reference, then of each pair of trajectories.

    /usr/bin/python3 scripts/peer/rpe_windows.py gt.txt ours.txt open3d.txt --delta 10 --window 25
"""
import argparse
import sys

import numpy as np

from poses import quat_to_rot


def read_tum(path):
    stamps, poses = [], []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            v = line.split()
            if len(v) != 8:
                raise SystemExit(f'rpe_windows.py: {path}: line {n}: expected 8 numbers, found {len(v)}')
            t, x, y, z, qx, qy, qz, qw = map(float, v)
            m = np.eye(4)
            m[:3, :3] = quat_to_rot(qx, qy, qz, qw)
            m[:3, 3] = [x, y, z]
            stamps.append(t)
            poses.append(m)
    if not poses:
        raise SystemExit(f'rpe_windows.py: {path}: no poses')
    return np.array(stamps), np.array(poses)


def relative_error(a0, a1, b0, b1):
    """Translation (mm) and rotation (degrees) of (A0⁻¹A1)⁻¹(B0⁻¹B1)."""
    e = np.linalg.inv(np.linalg.inv(a0) @ a1) @ (np.linalg.inv(b0) @ b1)
    angle = np.degrees(np.arccos(np.clip((np.trace(e[:3, :3]) - 1) / 2, -1, 1)))
    return 1000 * np.linalg.norm(e[:3, 3]), angle


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('reference', help='TUM trajectory the others are compared with (e.g. the ground truth)')
    p.add_argument('trajectories', nargs='+', help='TUM trajectories to compare')
    p.add_argument('--delta', type=int, default=10, help='frames between the two poses of a relative motion')
    p.add_argument('--window', type=int, default=25, help='frames per printed window')
    args = p.parse_args(argv)

    ref_t, ref = read_tum(args.reference)
    names = [args.reference.split('/')[-1]] + [t.split('/')[-1] for t in args.trajectories]
    sets = [(ref_t, ref)] + [read_tum(t) for t in args.trajectories]
    # Frames every trajectory has, by timestamp.
    common = ref_t
    for t, _ in sets[1:]:
        common = np.array([s for s in common if np.min(np.abs(t - s)) < 1e-3])
    if len(common) <= args.delta:
        raise SystemExit(f'rpe_windows.py: only {len(common)} common timestamps, need more than --delta {args.delta}')
    idx = [[int(np.argmin(np.abs(t - s))) for s in common] for t, _ in sets]
    poses = [p_[i] for (_, p_), i in zip(sets, idx)]

    pairs = [(0, k) for k in range(1, len(sets))] + [(a, b) for a in range(1, len(sets)) for b in range(a + 1, len(sets))]
    header = '  '.join(f'{names[a]} vs {names[b]}' for a, b in pairs)
    print(f'RPE over {args.delta} frames, window means (mm / deg): {header}')
    totals = [[] for _ in pairs]
    n = len(common) - args.delta
    for start in range(0, n, args.window):
        cells = []
        for k, (a, b) in enumerate(pairs):
            errs = [relative_error(poses[a][i], poses[a][i + args.delta], poses[b][i], poses[b][i + args.delta])
                    for i in range(start, min(start + args.window, n))]
            totals[k].extend(errs)
            m = np.mean(errs, axis=0)
            cells.append(f'{m[0]:6.1f} {m[1]:.2f}')
        print(f'{start:5d}  ' + '   '.join(cells))
    print('  all  ' + '   '.join(f'{np.mean(t, axis=0)[0]:6.1f} {np.mean(t, axis=0)[1]:.2f}' for t in totals))
    return 0


if __name__ == '__main__':
    sys.exit(main())
