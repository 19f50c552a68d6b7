/**
 * Distance from map points (surfels) to the true surfaces of a synthetic room: a bounding-volume hierarchy
 * over the room's triangles and an exact closest-point-on-triangle query. It answers "is any surfel more
 * than 5 cm from the real geometry?" for maps built from generated sequences (the map and the room share
 * the world frame when the first pose is anchored to ground truth, as `semslam map` does).
 */
import type { Mesh } from './mesh.js';

/** Distances of a point set to the surfaces, metres. */
export interface SurfaceDistanceSummary {
  readonly points: number;
  readonly max: number;
  readonly p99: number;
  readonly p50: number;
  readonly mean: number;
  /** Fraction of points farther than `threshold` from every surface. */
  readonly fractionOver: number;
  /** The threshold fractionOver counts against, metres (default 0.05). */
  readonly threshold: number;
}

const LEAF_SIZE = 4;

export class SurfaceDistance {
  private readonly pos: Float64Array;
  /** Per node: min xyz, max xyz. */
  private readonly bounds: Float64Array;
  /** Per node: first child (inner) or first triangle slot (leaf). */
  private readonly start: Int32Array;
  /** Per node: triangle count (leaf) or 0 (inner: children are start and start + 1). */
  private readonly count: Int32Array;
  private readonly order: Int32Array;
  private nodes = 0;
  private readonly stack = new Int32Array(128);

  constructor(mesh: Pick<Mesh, 'triangleCount' | 'positions'>) {
    const n = mesh.triangleCount;
    if (n === 0) throw new Error('SurfaceDistance: the mesh has no triangles');
    this.pos = mesh.positions;
    this.order = new Int32Array(n);
    for (let t = 0; t < n; t++) this.order[t] = t;
    const maxNodes = 2 * n + 1;
    this.bounds = new Float64Array(maxNodes * 6);
    this.start = new Int32Array(maxNodes);
    this.count = new Int32Array(maxNodes);
    const centroid = new Float64Array(n * 3);
    for (let t = 0; t < n; t++) {
      for (let c = 0; c < 3; c++) centroid[t * 3 + c] = (this.pos[t * 9 + c] + this.pos[t * 9 + 3 + c] + this.pos[t * 9 + 6 + c]) / 3;
    }
    this.nodes = 1;
    this.build(0, 0, n, centroid);
  }

  /** Splits triangles [lo, hi) at the median centroid of the node's longest axis. */
  private build(node: number, lo: number, hi: number, centroid: Float64Array): void {
    const b = this.bounds, o = node * 6;
    b[o] = b[o + 1] = b[o + 2] = Infinity;
    b[o + 3] = b[o + 4] = b[o + 5] = -Infinity;
    let cmin0 = Infinity, cmin1 = Infinity, cmin2 = Infinity, cmax0 = -Infinity, cmax1 = -Infinity, cmax2 = -Infinity;
    for (let k = lo; k < hi; k++) {
      const t = this.order[k];
      for (let v = 0; v < 3; v++) {
        for (let c = 0; c < 3; c++) {
          const x = this.pos[t * 9 + v * 3 + c];
          if (x < b[o + c]) b[o + c] = x;
          if (x > b[o + 3 + c]) b[o + 3 + c] = x;
        }
      }
      const cx = centroid[t * 3], cy = centroid[t * 3 + 1], cz = centroid[t * 3 + 2];
      if (cx < cmin0) cmin0 = cx; if (cx > cmax0) cmax0 = cx;
      if (cy < cmin1) cmin1 = cy; if (cy > cmax1) cmax1 = cy;
      if (cz < cmin2) cmin2 = cz; if (cz > cmax2) cmax2 = cz;
    }
    if (hi - lo <= LEAF_SIZE) {
      this.start[node] = lo;
      this.count[node] = hi - lo;
      return;
    }
    const ex = cmax0 - cmin0, ey = cmax1 - cmin1, ez = cmax2 - cmin2;
    const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
    const mid = (lo + hi) >> 1;
    // Partial sort of the slice by centroid along the axis (median split keeps the tree balanced).
    const slice = Array.from(this.order.subarray(lo, hi));
    slice.sort((a, c) => centroid[a * 3 + axis] - centroid[c * 3 + axis]);
    this.order.set(slice, lo);
    const left = this.nodes;
    this.nodes += 2;
    this.start[node] = left;
    this.count[node] = 0;
    this.build(left, lo, mid, centroid);
    this.build(left + 1, mid, hi, centroid);
  }

  /** Distance (metres) from (x, y, z) to the closest triangle. */
  distance(x: number, y: number, z: number): number {
    let best = Infinity;
    const stack = this.stack;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp];
      if (boxDistanceSq(this.bounds, node * 6, x, y, z) >= best) continue;
      const cnt = this.count[node];
      if (cnt > 0) {
        const s = this.start[node];
        for (let k = s; k < s + cnt; k++) {
          const d = pointTriangleDistanceSq(this.pos, this.order[k] * 9, x, y, z);
          if (d < best) best = d;
        }
      } else {
        const l = this.start[node];
        // Nearer child last, so it is popped (and tightens `best`) first.
        const dl = boxDistanceSq(this.bounds, l * 6, x, y, z), dr = boxDistanceSq(this.bounds, (l + 1) * 6, x, y, z);
        if (dl < dr) { stack[sp++] = l + 1; stack[sp++] = l; } else { stack[sp++] = l; stack[sp++] = l + 1; }
      }
    }
    return Math.sqrt(best);
  }

  /** Distances of `count` points stored as xyz triples in `positions` (e.g. MapSnapshot.positions). */
  distances(positions: ArrayLike<number>, count = Math.floor(positions.length / 3), out = new Float32Array(count)): Float32Array {
    for (let i = 0; i < count; i++) out[i] = this.distance(positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]);
    return out;
  }

  /** Max / p99 / p50 / mean distance and the fraction beyond `threshold` (default 5 cm). */
  summarize(positions: ArrayLike<number>, count = Math.floor(positions.length / 3), threshold = 0.05): SurfaceDistanceSummary {
    return summarizeDistances(this.distances(positions, count), threshold);
  }
}

export function summarizeDistances(d: Float32Array, threshold = 0.05): SurfaceDistanceSummary {
  const n = d.length;
  if (n === 0) return { points: 0, max: 0, p99: 0, p50: 0, mean: 0, fractionOver: 0, threshold };
  const sorted = Float32Array.from(d).sort();
  let sum = 0, over = 0;
  for (let i = 0; i < n; i++) { sum += sorted[i]; if (sorted[i] > threshold) over++; }
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  return { points: n, max: sorted[n - 1], p99: at(0.99), p50: at(0.5), mean: sum / n, fractionOver: over / n, threshold };
}

function boxDistanceSq(b: Float64Array, o: number, x: number, y: number, z: number): number {
  const dx = x < b[o] ? b[o] - x : x > b[o + 3] ? x - b[o + 3] : 0;
  const dy = y < b[o + 1] ? b[o + 1] - y : y > b[o + 4] ? y - b[o + 4] : 0;
  const dz = z < b[o + 2] ? b[o + 2] - z : z > b[o + 5] ? z - b[o + 5] : 0;
  return dx * dx + dy * dy + dz * dz;
}

/** Squared distance from p to triangle (a, b, c) at p9[o..o+9]: Ericson, Real-Time Collision Detection 5.1.5. */
export function pointTriangleDistanceSq(p9: ArrayLike<number>, o: number, px: number, py: number, pz: number): number {
  const ax = p9[o], ay = p9[o + 1], az = p9[o + 2];
  const abx = p9[o + 3] - ax, aby = p9[o + 4] - ay, abz = p9[o + 5] - az;
  const acx = p9[o + 6] - ax, acy = p9[o + 7] - ay, acz = p9[o + 8] - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz, d2 = acx * apx + acy * apy + acz * apz;
  let qx: number, qy: number, qz: number;
  if (d1 <= 0 && d2 <= 0) { qx = ax; qy = ay; qz = az; } else {
    const bpx = px - ax - abx, bpy = py - ay - aby, bpz = pz - az - abz;
    const d3 = abx * bpx + aby * bpy + abz * bpz, d4 = acx * bpx + acy * bpy + acz * bpz;
    const cpx = px - ax - acx, cpy = py - ay - acy, cpz = pz - az - acz;
    const d5 = abx * cpx + aby * cpy + abz * cpz, d6 = acx * cpx + acy * cpy + acz * cpz;
    const vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) { qx = ax + abx; qy = ay + aby; qz = az + abz; } else if (d6 >= 0 && d5 <= d6) {
      qx = ax + acx; qy = ay + acy; qz = az + acz;
    } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      const v = d1 / (d1 - d3); qx = ax + v * abx; qy = ay + v * aby; qz = az + v * abz;
    } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      const w = d2 / (d2 - d6); qx = ax + w * acx; qy = ay + w * acy; qz = az + w * acz;
    } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
      qx = ax + abx + w * (acx - abx); qy = ay + aby + w * (acy - aby); qz = az + abz + w * (acz - abz);
    } else {
      const denom = 1 / (va + vb + vc), v = vb * denom, w = vc * denom;
      qx = ax + abx * v + acx * w; qy = ay + aby * v + acy * w; qz = az + abz * v + acz * w;
    }
  }
  const dx = px - qx, dy = py - qy, dz = pz - qz;
  return dx * dx + dy * dy + dz * dz;
}
