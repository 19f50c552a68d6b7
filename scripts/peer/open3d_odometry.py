#!/usr/bin/python3
"""Peer baseline: Open3D frame-to-frame RGB-D odometry on the sequences semslam maps.

Runs open3d.pipelines.odometry.compute_rgbd_odometry (Steinbrucker/Park hybrid photometric + depth term by
default) between consecutive frames, chains the motions into T_world_camera (first pose anchored to ground
truth, as `semslam map` does), and prints ONE JSON document: ATE RMSE after the same rigid Horn alignment as
fusion/metrics, RPE per frame, and milliseconds per frame (odometry call only, image decoding excluded).

Reads: 7-Scenes folders (frame-NNNNNN.{color,depth}.png + .pose.txt, optionally under rgbd-frames/) and TUM
folders (rgb.txt, depth.txt, groundtruth.txt; intrinsics from semslam.json when `semslam gen` wrote it).

Needs Debian's python3-open3d (`apt-get install -y python3-open3d`); run with /usr/bin/python3.

    /usr/bin/python3 scripts/peer/open3d_odometry.py ../shared/data/real/7scenes-redkitchen-150-199 --size 320x240
"""
import argparse
import glob
import json
import os
import re
import sys
import time

import numpy as np
from PIL import Image

from poses import quat_to_rot, rotation_to_quaternion

try:
    import open3d as o3d
except ImportError:  # pragma: no cover - environment check
    sys.stderr.write('open3d_odometry.py: Open3D is missing; install it with `apt-get install -y python3-open3d` '
                     'and run with /usr/bin/python3\n')
    sys.exit(3)

SEVEN_SCENES_K = (585.0, 585.0, 320.0, 240.0)
TUM_FR1_K = (517.3, 516.5, 318.6, 255.3)
# The Kinect colour camera 7-Scenes stores unregistered (fx, fy, cx, cy, tx, ty, tz): main/sources/sevenScenes.ts
# SEVEN_SCENES_COLOUR_CAMERA, which semslam registers colour with; Open3D gets the same registered colour.
SEVEN_SCENES_COLOUR_CAMERA = (525.0, 525.0, 320.0, 235.0, -0.03, 0.0, 0.0)
MAX_ASSOCIATION_DT = 0.02


class InputError(Exception):
    """Bad input: the message names the file and the problem."""


def read_list(path):
    """TUM `timestamp path` list, '#' comments skipped."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split()
            out.append((float(parts[0]), parts[1:]))
    return out


def nearest(stamps, t):
    i = int(np.searchsorted(stamps, t))
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(stamps) and (best is None or abs(stamps[j] - t) < abs(stamps[best] - t)):
            best = j
    return best


def open_seven_scenes(folder):
    frame_dir = os.path.join(folder, 'rgbd-frames') if os.path.isdir(os.path.join(folder, 'rgbd-frames')) else folder
    # The tsdf-fusion re-packaging of 7-Scenes stores colour as JPEG (as semslam's own reader accepts).
    colours = sorted(glob.glob(os.path.join(frame_dir, 'frame-*.color.png')) +
                     glob.glob(os.path.join(frame_dir, 'frame-*.color.jpg')))
    if not colours:
        raise InputError(f'{frame_dir}: no 7-Scenes frames (frame-NNNNNN.color.png or .color.jpg)')
    k = SEVEN_SCENES_K
    kfile = os.path.join(folder, 'camera-intrinsics.txt')
    if os.path.isfile(kfile):
        m = np.loadtxt(kfile)
        k = (m[0, 0], m[1, 1], m[0, 2], m[1, 2])
    frames = []
    for c in colours:
        stem = c[:-len('.color.png')]  # same length as '.color.jpg'
        n = int(re.search(r'frame-(\d+)', stem).group(1))
        frames.append({'rgb': c, 'depth': stem + '.depth.png', 'pose': np.loadtxt(stem + '.pose.txt').reshape(4, 4),
                       'timestamp': n / 30.0})
    return {'format': '7scenes', 'intrinsics': k, 'depth_scale': 1000.0, 'missing': 65535, 'frames': frames,
            'colour_camera': SEVEN_SCENES_COLOUR_CAMERA}


def open_tum(folder):
    rgb = read_list(os.path.join(folder, 'rgb.txt'))
    depth = read_list(os.path.join(folder, 'depth.txt'))
    gt_path = os.path.join(folder, 'groundtruth.txt')
    gt = read_list(gt_path) if os.path.isfile(gt_path) else []
    rgb_t = np.array([t for t, _ in rgb])
    gt_t = np.array([t for t, _ in gt])
    k = TUM_FR1_K
    sidecar = os.path.join(folder, 'semslam.json')
    if os.path.isfile(sidecar):
        with open(sidecar) as f:
            s = json.load(f)['intrinsics']
        k = (s['fx'], s['fy'], s['cx'], s['cy'])
    else:
        sys.stderr.write(f'{folder}: no semslam.json; assuming TUM freiburg1 intrinsics {TUM_FR1_K}\n')
    frames = []
    # Depth is the primary stream (as main/sources/tum.ts): nearest RGB within 20 ms.
    for t, (dpath, *_) in depth:
        i = nearest(rgb_t, t)
        if i is None or abs(rgb_t[i] - t) > MAX_ASSOCIATION_DT:
            continue
        pose = None
        if len(gt_t):
            j = nearest(gt_t, t)
            if abs(gt_t[j] - t) <= MAX_ASSOCIATION_DT:
                v = [float(x) for x in gt[j][1]]
                pose = np.eye(4)
                pose[:3, :3] = quat_to_rot(*v[3:7])
                pose[:3, 3] = v[:3]
        frames.append({'rgb': os.path.join(folder, rgb[i][1][0]), 'depth': os.path.join(folder, dpath), 'pose': pose,
                       'timestamp': t})
    if not frames:
        raise InputError(f'{folder}: no depth frame has an RGB frame within {MAX_ASSOCIATION_DT} s')
    return {'format': 'tum', 'intrinsics': k, 'depth_scale': 5000.0, 'missing': None, 'frames': frames}


def open_sequence(folder):
    if not os.path.isdir(folder):
        raise InputError(f'{folder}: not a folder')
    if os.path.isfile(os.path.join(folder, 'rgb.txt')) and os.path.isfile(os.path.join(folder, 'depth.txt')):
        return open_tum(folder)
    if os.path.isdir(os.path.join(folder, 'rgbd-frames')) or glob.glob(os.path.join(folder, 'frame-*.color.[pj][np]g')):
        return open_seven_scenes(folder)
    raise InputError(f'{folder}: expected a 7-Scenes or TUM folder (write NYU-format sequences as TUM with `semslam gen`)')


def register_colour(rgb, depth_m, k, cam):
    """Colour from camera `cam` resampled at each depth pixel, as main/sources/colourRegistration.ts does
    (nearest sample, the edge pixel outside the image; parallel cameras)."""
    fx, fy, cx, cy, tx, ty, tz = cam
    h, w = depth_m.shape
    z = depth_m.astype(np.float64)
    u = np.arange(w, dtype=np.float64)[None, :]
    v = np.arange(h, dtype=np.float64)[:, None]
    x, y = (u - k[2]) / k[0], (v - k[3]) / k[1]
    valid = z > 0
    zs = np.where(valid, z, 1.0)
    # Without depth: the ray's point at infinity.
    uc = np.where(valid, fx * (zs * x + tx) / (zs + tz) + cx, fx * x + cx)
    vc = np.where(valid, fy * (zs * y + ty) / (zs + tz) + cy, fy * y + cy)
    ui = np.floor(np.clip(uc, 0, rgb.shape[1] - 1) + 0.5).astype(np.intp)
    vi = np.floor(np.clip(vc, 0, rgb.shape[0] - 1) + 0.5).astype(np.intp)
    return np.ascontiguousarray(rgb[vi, ui])


def load_frame(seq, f, size):
    rgb = Image.open(f['rgb']).convert('RGB')
    depth = np.array(Image.open(f['depth'])).astype(np.uint16)
    if seq['missing'] is not None:
        depth[depth == seq['missing']] = 0
    if seq.get('colour_camera') is not None:
        rgb = Image.fromarray(register_colour(np.array(rgb), depth / seq['depth_scale'], seq['intrinsics'],
                                              seq['colour_camera']))
    if size is not None:
        # Same sampling as main/pipeline/frameResizer.ts: colour area-averaged, depth nearest.
        rgb = rgb.resize(size, Image.BOX)
        depth = np.array(Image.fromarray(depth).resize(size, Image.NEAREST))
    rgb = np.ascontiguousarray(np.array(rgb, dtype=np.uint8))
    return o3d.geometry.RGBDImage.create_from_color_and_depth(
        o3d.geometry.Image(rgb), o3d.geometry.Image(np.ascontiguousarray(depth)),
        depth_scale=seq['depth_scale'], depth_trunc=4.0, convert_rgb_to_intensity=True)


def parse_colour_camera(text):
    if text == 'none':
        return None
    try:
        parts = [float(x) for x in text.split(',')]
    except ValueError:
        parts = []
    if len(parts) != 7 or not (parts[0] > 0 and parts[1] > 0):
        raise InputError(f'--colour-camera: expected seven numbers fx,fy,cx,cy,tx,ty,tz (pixels, metres) or "none", got "{text}"')
    return tuple(parts)


def horn_align(a, b):
    """Rigid T (4×4) minimising Σ|b − T a|² (Horn 1987 quaternion method, as fusion/metrics/align.ts)."""
    ma, mb = a.mean(0), b.mean(0)
    s = (a - ma).T @ (b - mb)  # S[i][j] = Σ a'_i b'_j
    sxx, sxy, sxz, syx, syy, syz, szx, szy, szz = s.ravel()
    n = np.array([
        [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
        [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
        [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
        [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
    ])
    w, v = np.linalg.eigh(n)
    qw, qx, qy, qz = v[:, np.argmax(w)]
    r = quat_to_rot(qx, qy, qz, qw)
    t = np.eye(4)
    t[:3, :3] = r
    t[:3, 3] = mb - r @ ma
    return t


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('sequence', help='7-Scenes or TUM folder')
    p.add_argument('--max-frames', type=int, default=None)
    p.add_argument('--size', default=None, help='resize frames (and intrinsics), e.g. 320x240')
    p.add_argument('--method', choices=['hybrid', 'color'], default='hybrid',
                   help='Open3D Jacobian: hybrid (photometric + depth, default) or color (photometric only)')
    p.add_argument('--max-depth', type=float, default=4.0, help='depth beyond this (m) is ignored (semslam default 4)')
    p.add_argument('--colour-camera', default=None,
                   help='fx,fy,cx,cy,tx,ty,tz of an unregistered colour camera, or none (as semslam map; default: '
                        "7-Scenes' Kinect colour camera for 7-Scenes folders, none otherwise)")
    p.add_argument('--out-trajectory', default=None,
                   help='write the estimated trajectory in TUM format (timestamp tx ty tz qx qy qz qw), as semslam map does')
    args = p.parse_args(argv)
    try:
        seq = open_sequence(args.sequence)
        if args.colour_camera is not None:
            seq['colour_camera'] = parse_colour_camera(args.colour_camera)
    except (InputError, OSError) as e:
        sys.stderr.write(f'open3d_odometry.py: error: {e}\n')
        return 2
    frames = seq['frames'][:args.max_frames] if args.max_frames else seq['frames']
    w0, h0 = Image.open(frames[0]['rgb']).size
    fx, fy, cx, cy = seq['intrinsics']
    size = None
    w, h = w0, h0
    if args.size:
        m = re.fullmatch(r'(\d+)x(\d+)', args.size)
        if not m:
            sys.stderr.write(f'open3d_odometry.py: error: --size: expected WIDTHxHEIGHT, got "{args.size}"\n')
            return 2
        w, h = int(m.group(1)), int(m.group(2))
        size = (w, h)
        sx, sy = w / w0, h / h0
        # Pixel-centre-correct scaling, as fusion/camera.ts scaleIntrinsics.
        fx, fy, cx, cy = fx * sx, fy * sy, (cx + 0.5) * sx - 0.5, (cy + 0.5) * sy - 0.5
    intrinsic = o3d.camera.PinholeCameraIntrinsic(w, h, fx, fy, cx, cy)
    jacobian = (o3d.pipelines.odometry.RGBDOdometryJacobianFromHybridTerm() if args.method == 'hybrid'
                else o3d.pipelines.odometry.RGBDOdometryJacobianFromColorTerm())
    option = o3d.pipelines.odometry.OdometryOption()
    option.depth_max = args.max_depth

    first_gt = frames[0]['pose']
    pose = first_gt.copy() if first_gt is not None else np.eye(4)
    est, gt, ms, failures = [pose.copy()], [first_gt], [], 0
    prev = load_frame(seq, frames[0], size)
    for k, f in enumerate(frames[1:], start=1):
        cur = load_frame(seq, f, size)
        t0 = time.perf_counter()
        ok, t_prev_cur, _ = o3d.pipelines.odometry.compute_rgbd_odometry(cur, prev, intrinsic, np.eye(4), jacobian, option)
        ms.append((time.perf_counter() - t0) * 1000)
        if ok:
            pose = pose @ t_prev_cur  # T_world_cur = T_world_prev · T_prev_cur
        else:
            failures += 1
        est.append(pose.copy())
        gt.append(f['pose'])
        prev = cur
        if k % 10 == 0:
            sys.stderr.write(f'open3d: {k + 1}/{len(frames)} frames\r')
    sys.stderr.write('\n')

    if args.out_trajectory:
        with open(args.out_trajectory, 'w') as fh:
            fh.write(f'# open3d_odometry.py {args.sequence}\n# timestamp tx ty tz qx qy qz qw\n')
            for f, e in zip(frames, est):
                fh.write(f"{f['timestamp']:.6f} " + ' '.join(f'{v:.9f}' for v in [*e[:3, 3], *rotation_to_quaternion(e[:3, :3])]) + '\n')

    pairs = [(e, g) for e, g in zip(est, gt) if g is not None]
    out = {
        'tool': 'open3d', 'version': o3d.__version__, 'method': args.method, 'sequence': args.sequence,
        'colourCamera': list(seq['colour_camera']) if seq.get('colour_camera') is not None else None,
        'format': seq['format'], 'width': w, 'height': h, 'frames': len(frames),
        'msPerFrame': {'p50': float(np.percentile(ms, 50)) if ms else None,
                       'p95': float(np.percentile(ms, 95)) if ms else None},
        'trackingFailures': failures,
        # Open3D parallelises with OpenMP; semslam's fusion is one JS thread, so compare.sh pins 1 thread.
        'ompThreads': os.environ.get('OMP_NUM_THREADS', 'default'),
    }
    if len(pairs) >= 2:
        a = np.array([e[:3, 3] for e, _ in pairs])
        b = np.array([g[:3, 3] for _, g in pairs])
        t = horn_align(a, b)
        err = np.linalg.norm((a @ t[:3, :3].T + t[:3, 3]) - b, axis=1)
        out['ateRmseM'] = float(np.sqrt(np.mean(err ** 2)))
        # RPE over one frame: E = (Q_i⁻¹Q_j)⁻¹(P_i⁻¹P_j), translation part (as fusion/metrics rpe, Δ = 1 frame).
        rpe = []
        for (e0, g0), (e1, g1) in zip(pairs[:-1], pairs[1:]):
            d = np.linalg.inv(np.linalg.inv(g0) @ g1) @ (np.linalg.inv(e0) @ e1)
            rpe.append(np.linalg.norm(d[:3, 3]))
        out['rpe'] = {'perFrame': {'translationRmseM': float(np.sqrt(np.mean(np.square(rpe)))), 'pairs': len(rpe)}}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
