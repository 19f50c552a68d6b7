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
  const m = T_camera_world;
  const r00 = m[0], r10 = m[1], r20 = m[2], r01 = m[4], r11 = m[5], r21 = m[6], r02 = m[8], r12 = m[9], r22 = m[10];
  const { width: w, height: h, fx, fy, cx, cy } = k;
  const ifx = 1 / fx, ify = 1 / fy;
  const nrm = map.normal, rad = map.radius;
  const ls = list.slots, lx = list.x, ly = list.y, lz = list.z, lu = list.u, lv = list.v;
  const count = list.count;
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
    if (y0 < 0) y0 = 0;
    if (x1 > w - 1) x1 = w - 1;
    if (y1 > h - 1) y1 = h - 1;
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
