/**
 * Projective surfel splatting with a z-buffer: each surfel covers the pixels whose rays hit its disc, and the
 * depth tested (and kept) per pixel is where the ray meets the disc's plane — not the centre's depth, which at
 * grazing angles would let a nearer part of the same surface win pixels it does not cover.
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import type { SlotList, SurfelMap } from './surfel-map.js';

/**
 * Splats the listed surfels (camera coordinates in `list`) into depth (0 = empty; camera z of the ray–disc hit)
 * and slot (−1 = empty). depth and slot must be cleared by the caller; `key` is scratch of the same size.
 * `scale` shrinks the disc (1 = full radius). The z-test compares depth inflated by 0.2 % per squared pixel of
 * distance from the surfel's projected centre, so among overlapping discs of one surface each pixel takes the
 * surfel centred on it (sharp colour for the photometric term) while real occluders still win.
 */
export function splatSurfels(map: SurfelMap, list: SlotList, T_camera_world: Mat4, k: Intrinsics, maxRadiusPx: number,
  scale: number, depth: Float32Array, slot: Int32Array, key: Float32Array): void {
  splatRowsOf(T_camera_world, k.width, k.height, k.fx, k.fy, k.cx, k.cy, maxRadiusPx, scale, map.normal, map.radius,
    list.slots, list.x, list.y, list.z, list.u, list.v, list.count, depth, slot, key, 0, k.height);
}

/** splatSurfels as a kernel over image rows (see splatRows). */
export interface SplatArgs {
  /** The map's normals and radii. */
  normal: Float32Array;
  radius: Float32Array;
  /** The SlotList's arrays and its count. */
  slots: Int32Array; x: Float32Array; y: Float32Array; z: Float32Array; u: Float32Array; v: Float32Array;
  count: number;
  depth: Float32Array;
  slot: Int32Array;
  key: Float32Array;
  /** T_camera_world (16), width, height, fx, fy, cx, cy, max radius (px), scale. */
  params: Float64Array;
}

/**
 * Rows [y0, y1) of splatSurfels: every listed surfel, its disc clipped to these rows. Each pixel sees the same
 * surfels in the same (list) order as the whole-image splat, so the result is the same for any cut into rows.
 */
export function splatRows(a: SplatArgs, y0: number, y1: number): void {
  const q = a.params;
  splatRowsOf(q, q[16] | 0, q[17] | 0, q[18], q[19], q[20], q[21], q[22], q[23], a.normal, a.radius,
    a.slots, a.x, a.y, a.z, a.u, a.v, a.count, a.depth, a.slot, a.key, y0, y1);
}

function splatRowsOf(m: ArrayLike<number>, w: number, h: number, fx: number, fy: number, cx: number, cy: number,
  maxRadiusPx: number, scale: number, nrm: Float32Array, rad: Float32Array, ls: Int32Array, lx: Float32Array,
  ly: Float32Array, lz: Float32Array, lu: Float32Array, lv: Float32Array, count: number, depth: Float32Array,
  slot: Int32Array, key: Float32Array, rowMin: number, rowMax: number): void {
  const r00 = m[0], r10 = m[1], r20 = m[2], r01 = m[4], r11 = m[5], r21 = m[6], r02 = m[8], r12 = m[9], r22 = m[10];
  const ifx = 1 / fx, ify = 1 / fy;
  const yLo = rowMin, yHi = rowMax - 1 < h - 1 ? rowMax - 1 : h - 1;
  for (let j = 0; j < count; j++) {
    const s = ls[j];
    const px = lx[j], py = ly[j], pz = lz[j];
    const r = rad[s] * scale;
    let rp = (r * fx) / pz;
    if (rp > maxRadiusPx) rp = maxRadiusPx;
    const uc = lu[j], vc = lv[j];
    // floor(v + 0.5) = round for the values here; clamped to the image.
    let x0 = Math.floor(uc - rp + 0.5), x1 = Math.floor(uc + rp + 0.5);
    let y0 = Math.floor(vc - rp + 0.5), y1 = Math.floor(vc + rp + 0.5);
    if (x0 < 0) x0 = 0;
    if (y0 < yLo) y0 = yLo;
    if (x1 > w - 1) x1 = w - 1;
    if (y1 > yHi) y1 = yHi;
    if (y0 > y1) continue;
    const qx = nrm[3 * s], qy = nrm[3 * s + 1], qz = nrm[3 * s + 2];
    const nx = r00 * qx + r01 * qy + r02 * qz, ny = r10 * qx + r11 * qy + r12 * qz, nz = r20 * qx + r21 * qy + r22 * qz;
    const np = nx * px + ny * py + nz * pz;
    const r2 = r * r;
    // The surfel's own pixel is always covered (keeps sparse, far surfels visible).
    const ownX = Math.floor(uc + 0.5), ownY = Math.floor(vc + 0.5);
    for (let y = y0; y <= y1; y++) {
      const ry = (y - cy) * ify;
      for (let x = x0; x <= x1; x++) {
        const rx = (x - cx) * ifx;
        const den = nx * rx + ny * ry + nz;
        let z: number;
        let penalty = 1;
        if (x === ownX && y === ownY) z = pz;
        else {
          // Ray (rx, ry, 1)·z meets the plane n·X = n·p at z = n·p / n·ray; reject edge-on hits and misses.
          if (den > -0.05 && den < 0.05) continue;
          z = np / den;
          if (!(z > 0)) continue;
          const dx = rx * z - px, dy = ry * z - py, dz = z - pz;
          if (dx * dx + dy * dy + dz * dz > r2) continue;
          const du = x - uc, dv = y - vc;
          penalty = 1 + 0.002 * (du * du + dv * dv);
        }
        const i = y * w + x;
        const kz = z * penalty;
        if (depth[i] !== 0 && key[i] <= kz) continue;
        depth[i] = z;
        key[i] = kz;
        slot[i] = s;
      }
    }
  }
}
