import type { StoredMap } from '../../../main/store/mapCodec.js';
import type { FrameRecord } from '../../../main/store/records.js';

export const INTRINSICS = { width: 320, height: 240, fx: 260, fy: 260, cx: 159.5, cy: 119.5 };

/** A deterministic map of n surfels whose every value depends on its index (seed shifts them). */
export function makeMap(n: number, seed = 0): StoredMap {
  const positions = new Float32Array(3 * n);
  const normals = new Float32Array(3 * n);
  const colors = new Uint8Array(3 * n);
  const radii = new Float32Array(n);
  const confidence = new Float32Array(n);
  const labels = new Uint8Array(n);
  const labelProb = new Float32Array(n);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    positions.set([i * 0.01 + seed, Math.sin(i) , 1 + (i % 7) * 0.1], 3 * i);
    const a = i * 0.3;
    normals.set([Math.cos(a), Math.sin(a), 0], 3 * i);
    colors.set([(i * 7 + seed) & 255, (i * 13) & 255, (i * 29) & 255], 3 * i);
    radii[i] = 0.005 + (i % 5) * 0.001;
    confidence[i] = (i % 20) + 0.5;
    labels[i] = i % 14;
    labelProb[i] = ((i % 10) + 1) / 10;
    ids[i] = 1000 + i;
  }
  return { count: n, ids, positions, normals, colors, radii, confidence, labels, labelProb };
}

export function makeFrame(i: number): FrameRecord {
  const T = new Float64Array(16);
  T[0] = 1; T[5] = 1; T[10] = 1; T[15] = 1;
  T[12] = i * 0.01; T[13] = -i * 0.002; T[14] = Math.PI * i;
  return {
    frameIndex: i,
    timestamp: i / 30,
    T_world_camera: T,
    trackingOk: i % 11 !== 5,
    trackingLost: i % 11 === 5,
    inlierRmse: i === 0 ? null : 0.001 * (i % 4),
    inlierRatio: i === 0 ? null : 0.9 - (i % 3) * 0.1,
    surfels: 1000 * i,
    ms: { track: 3.5 + i, fuse: 2.25, total: 6 + i },
  };
}
