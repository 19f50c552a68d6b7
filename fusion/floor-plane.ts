/**
 * The floor as the map sees it, for label fusion: a network that labels single images often calls horizontal
 * surfaces above the floor (chair seats, table tops, beds) "floor", from every view alike, so multiplying views
 * does not correct it. The map knows heights. The floor plane is estimated from the map's own confident floor
 * surfels (no gravity sensor, no ground truth; surfel normals face the cameras that saw
 * them, so the plane's normal is taken on their side); the plane is a least-squares fit to their positions,
 * refitted twice to the inliers (surfaces wrongly called floor lie far above it). A surfel more than
 * max(minHeight, spreadFactor × the floor's spread) above that plane cannot be floor, and label fusion then
 * scales the floor class of its observations by `suppression` (LabelFusion.setFloorPlane).
 */
import type { SurfelMap } from './surfel-map.js';
import { accumulateResidual, NORMAL_EQ_SIZE, solveNormalEquations6 } from './linalg6.js';

export interface FloorPlaneOptions {
  /** 0-based channel of the floor class in the map's distributions (NYU13: id 5 → 4). */
  floorIndex: number;
  /** Surfels count as floor evidence when labelled floor at least this confidently. */
  minLabelProb: number;
  /** Fewest evidence surfels for a plane. */
  minSurfels: number;
  /** Surfels higher above the floor than this (m) or spreadFactor × the floor's own spread, whichever is more, are not floor. */
  minHeight: number;
  spreadFactor: number;
  /** Factor on an observation's floor probability for surfels that cannot be floor. */
  suppression: number;
}

export const DEFAULT_FLOOR_PLANE_OPTIONS: Readonly<FloorPlaneOptions> = Object.freeze({
  floorIndex: 4, minLabelProb: 0.9, minSurfels: 200, minHeight: 0.25, spreadFactor: 2, suppression: 0.05,
});

/**
 * The floor: a plane (up·p = height) and a quadratic bend over it, so that the height of p above the floor is
 * up·p − height − (c0 + c1·u + c2·v + c3·u² + c4·u·v + c5·v²), with u = axisU·(p − origin), v = axisV·(p − origin).
 * The bend takes up what predicted depth does to a floor (errors grow with distance: it curls up or down).
 */
export interface FloorPlane {
  readonly up: Float64Array;
  readonly height: number;
  readonly origin: Float64Array;
  readonly axisU: Float64Array;
  readonly axisV: Float64Array;
  /** c0..c5 (zero when the bend could not be fitted). */
  readonly bend: Float64Array;
  /** Evidence surfels (confident floor) it was fitted to. */
  readonly surfels: number;
  /** Robust spread (m) of the evidence about the floor (1.4826 × median absolute height). */
  spread: number;
}

/** Floats in the packed form of a floor (packFloor): up 3, height, origin 3, axis u 3, axis v 3, bend 6. */
export const PACKED_FLOOR_LENGTH = 19;

const packedScratch = new Float64Array(PACKED_FLOOR_LENGTH);

export class FloorPlaneEstimator {
  readonly options: FloorPlaneOptions;
  private heights = new Float32Array(0);
  /** Slots of the evidence (confident floor surfels), collected once per estimate. */
  private evidence = new Int32Array(0);
  private readonly up = new Float64Array(3);
  private readonly cov = new Float64Array(6);
  private readonly mean = new Float64Array(3);
  private readonly acc = new Float64Array(NORMAL_EQ_SIZE);
  private readonly jac = new Float64Array(6);
  private readonly step = new Float64Array(6);
  private readonly scratch = new Float64Array(42);

  constructor(options: Partial<FloorPlaneOptions> = {}) {
    const o = { ...DEFAULT_FLOOR_PLANE_OPTIONS, ...options };
    if (!(Number.isInteger(o.floorIndex) && o.floorIndex >= 0)) throw new RangeError('FloorPlaneOptions.floorIndex must be an integer ≥ 0');
    if (!(o.spreadFactor >= 0)) throw new RangeError('FloorPlaneOptions.spreadFactor must be ≥ 0');
    if (!(o.suppression > 0 && o.suppression <= 1)) throw new RangeError('FloorPlaneOptions.suppression must be in (0, 1]');
    if (!(o.minHeight > 0 && o.minSurfels >= 3)) throw new RangeError('FloorPlaneOptions: minHeight > 0 and minSurfels ≥ 3');
    this.options = o;
  }

  /** The floor plane of the map now, or null when it has too little floor to tell. */
  estimate(map: SurfelMap): FloorPlane | null {
    const o = this.options;
    const C = map.classCount, f = o.floorIndex, id = f + 1;
    if (f >= C) return null;
    const { alive, label, labelProb, normal: nrm, position: pos } = map;
    // Evidence: confident floor surfels (positions; normals only for the side up is on).
    let n = 0, nx = 0, ny = 0, nz = 0;
    for (let s = 0; s < map.highWater; s++) {
      if (!alive[s] || label[s] !== id || labelProb[s] < o.minLabelProb) continue;
      nx += nrm[3 * s]; ny += nrm[3 * s + 1]; nz += nrm[3 * s + 2]; n++;
    }
    if (n < o.minSurfels) return null;
    if (this.heights.length < n) { this.heights = new Float32Array(2 * n); this.evidence = new Int32Array(2 * n); }
    const h = this.heights, ev = this.evidence;
    for (let s = 0, i = 0; s < map.highWater; s++) {
      if (!alive[s] || label[s] !== id || labelProb[s] < o.minLabelProb) continue;
      ev[i++] = s;
    }
    const up = this.up;
    // The plane through the evidence's positions (least squares), then again through the inliers: surfels
    // called floor on a table top lie far above it. Positions, not normals: normals of predicted depth are tilted
    // by its gradient errors, a plane fitted over metres of floor much less.
    let cut = Infinity, height = 0, spread = 0;
    for (let pass = 0; pass < 3; pass++) {
      let m = 0, mx = 0, my = 0, mz = 0;
      for (let i = 0; i < n; i++) {
        const s = ev[i];
        const px = pos[3 * s], py = pos[3 * s + 1], pz = pos[3 * s + 2];
        if (pass > 0 && Math.abs(px * up[0] + py * up[1] + pz * up[2] - height) > cut) continue;
        mx += px; my += py; mz += pz; m++;
      }
      if (m < o.minSurfels) return null;
      mx /= m; my /= m; mz /= m;
      const cov = this.cov;
      cov.fill(0);
      for (let i = 0; i < n; i++) {
        const s = ev[i];
        const px = pos[3 * s], py = pos[3 * s + 1], pz = pos[3 * s + 2];
        if (pass > 0 && Math.abs(px * up[0] + py * up[1] + pz * up[2] - height) > cut) continue;
        const dx = px - mx, dy = py - my, dz = pz - mz;
        cov[0] += dx * dx; cov[1] += dx * dy; cov[2] += dx * dz; cov[3] += dy * dy; cov[4] += dy * dz; cov[5] += dz * dz;
      }
      if (!smallestEigenvector(cov, up)) return null;
      // Up is the side the floor's normals face (they face the cameras that saw it).
      if (up[0] * nx + up[1] * ny + up[2] * nz < 0) { up[0] = -up[0]; up[1] = -up[1]; up[2] = -up[2]; }
      height = mx * up[0] + my * up[1] + mz * up[2];
      this.mean[0] = mx; this.mean[1] = my; this.mean[2] = mz;
      // Robust spread of the evidence about the plane (median absolute residual), for the next pass's inliers.
      for (let i = 0; i < n; i++) {
        const s = ev[i];
        h[i] = Math.abs(pos[3 * s] * up[0] + pos[3 * s + 1] * up[1] + pos[3 * s + 2] * up[2] - height);
      }
      spread = robustSpread(h, n);
      cut = Math.max(2.5 * spread, 0.02);
    }
    // The bend, fitted twice (the second time to the first fit's inliers), then the spread about it.
    const origin = new Float64Array(3), au = new Float64Array(3), av = new Float64Array(3), bend = new Float64Array(6);
    const mean = this.mean;
    origin[0] = mean[0]; origin[1] = mean[1]; origin[2] = mean[2];
    const ax = Math.abs(up[0]) < 0.9 ? 0 : 1;
    au[0] = ax === 0 ? 0 : -up[2]; au[1] = ax === 0 ? up[2] : 0; au[2] = ax === 0 ? -up[1] : up[0];
    const la = Math.hypot(au[0], au[1], au[2]); au[0] /= la; au[1] /= la; au[2] /= la;
    av[0] = up[1] * au[2] - up[2] * au[1]; av[1] = up[2] * au[0] - up[0] * au[2]; av[2] = up[0] * au[1] - up[1] * au[0];
    const plane = { up: Float64Array.from(up), height, origin, axisU: au, axisV: av, bend, surfels: n, spread };
    const acc = this.acc, j = this.jac;
    const q = packedScratch;
    for (let pass = 0; pass < 2; pass++) {
      acc.fill(0);
      packFloor(plane, q);
      for (let i = 0; i < n; i++) {
        const s = ev[i];
        const r = heightAbovePackedFloor(q, 0, pos[3 * s], pos[3 * s + 1], pos[3 * s + 2]);
        if (Math.abs(r) > cut) continue;
        const dx = pos[3 * s] - origin[0], dy = pos[3 * s + 1] - origin[1], dz = pos[3 * s + 2] - origin[2];
        const u = au[0] * dx + au[1] * dy + au[2] * dz, v = av[0] * dx + av[1] * dy + av[2] * dz;
        j[0] = 1; j[1] = u; j[2] = v; j[3] = u * u; j[4] = u * v; j[5] = v * v;
        // The residual of the current bend: the solve gives the change to it.
        accumulateResidual(acc, j, -r, 1);
      }
      if (acc[28] < o.minSurfels || !solveNormalEquations6(acc, this.step, this.scratch)) break;
      for (let c = 0; c < 6; c++) bend[c] += this.step[c];
      packFloor(plane, q);
      for (let i = 0; i < n; i++) {
        const s = ev[i];
        h[i] = Math.abs(heightAbovePackedFloor(q, 0, pos[3 * s], pos[3 * s + 1], pos[3 * s + 2]));
      }
      plane.spread = robustSpread(h, n);
      cut = Math.max(2.5 * plane.spread, 0.02);
    }
    return plane;
  }
}

/** 1.4826 × the median of h[0..n) (sorts that part in place): the spread of absolute residuals. */
function robustSpread(h: Float32Array, n: number): number {
  const part = h.subarray(0, n);
  part.sort();
  return 1.4826 * part[n >> 1];
}

/** Writes the floor into out[o, o + PACKED_FLOOR_LENGTH), the form worker kernels read (heightAbovePackedFloor). */
export function packFloor(f: FloorPlane, out: Float64Array, o = 0): void {
  out.set(f.up, o); out[o + 3] = f.height; out.set(f.origin, o + 4); out.set(f.axisU, o + 7); out.set(f.axisV, o + 10);
  out.set(f.bend, o + 13);
}

/** Height of the point (x, y, z) above the floor packed at q[o] by packFloor (negative below). */
export function heightAbovePackedFloor(q: Float64Array, o: number, x: number, y: number, z: number): number {
  const dx = x - q[o + 4], dy = y - q[o + 5], dz = z - q[o + 6];
  const u = q[o + 7] * dx + q[o + 8] * dy + q[o + 9] * dz, v = q[o + 10] * dx + q[o + 11] * dy + q[o + 12] * dz;
  return q[o] * x + q[o + 1] * y + q[o + 2] * z - q[o + 3]
    - (q[o + 13] + q[o + 14] * u + q[o + 15] * v + q[o + 16] * u * u + q[o + 17] * u * v + q[o + 18] * v * v);
}

/** Height of the point (x, y, z) above the floor (negative below); loops pack once and use heightAbovePackedFloor. */
export function heightAboveFloor(f: FloorPlane, x: number, y: number, z: number): number {
  packFloor(f, packedScratch);
  return heightAbovePackedFloor(packedScratch, 0, x, y, z);
}

/**
 * Unit eigenvector of the smallest eigenvalue of a symmetric 3×3 matrix (xx, xy, xz, yy, yz, zz) into out;
 * false when the matrix is degenerate (fewer than two spread directions).
 */
export function smallestEigenvector(a: Float64Array, out: Float64Array): boolean {
  const a00 = a[0], a01 = a[1], a02 = a[2], a11 = a[3], a12 = a[4], a22 = a[5];
  // Eigenvalues by the trigonometric method (Smith 1961).
  const q = (a00 + a11 + a22) / 3;
  const p1 = a01 * a01 + a02 * a02 + a12 * a12;
  const b00 = a00 - q, b11 = a11 - q, b22 = a22 - q;
  const p = Math.sqrt((b00 * b00 + b11 * b11 + b22 * b22 + 2 * p1) / 6);
  if (!(p > 0)) return false;
  const det = (b00 * (b11 * b22 - a12 * a12) - a01 * (a01 * b22 - a12 * a02) + a02 * (a01 * a12 - b11 * a02)) / (p * p * p);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const lMin = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  // The eigenvector is orthogonal to the rows of A − λI: the largest cross product of two rows.
  const r0x = a00 - lMin, r0y = a01, r0z = a02;
  const r1x = a01, r1y = a11 - lMin, r1z = a12;
  const r2x = a02, r2y = a12, r2z = a22 - lMin;
  let bx = 0, by = 0, bz = 0, best = 0;
  const consider = (ux: number, uy: number, uz: number, vx: number, vy: number, vz: number): void => {
    const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
    const l = cx * cx + cy * cy + cz * cz;
    if (l > best) { best = l; bx = cx; by = cy; bz = cz; }
  };
  consider(r0x, r0y, r0z, r1x, r1y, r1z);
  consider(r0x, r0y, r0z, r2x, r2y, r2z);
  consider(r1x, r1y, r1z, r2x, r2y, r2z);
  if (!(best > 0)) return false;
  const l = 1 / Math.sqrt(best);
  out[0] = bx * l; out[1] = by * l; out[2] = bz * l;
  return true;
}

/** How far above the plane a surfel may still be floor (m). */
export function floorMargin(plane: FloorPlane, o: FloorPlaneOptions): number {
  return Math.max(o.minHeight, o.spreadFactor * plane.spread);
}

/**
 * Applies the plane to the map as it is: every surfel labelled floor more than minHeight above the plane has its
 * floor probability set to `suppression` times its best other class's and is relabelled (touched at `frame` when its label changes).
 * Returns how many changed label.
 */
export function suppressFloorAbove(map: SurfelMap, plane: FloorPlane, o: FloorPlaneOptions, frame: number): number {
  const C = map.classCount, f = o.floorIndex, id = f + 1;
  if (f >= C) return 0;
  const { alive, label, labelProb, probs, position: pos } = map;
  const margin = floorMargin(plane, o);
  const q = packedScratch;
  packFloor(plane, q);
  let changed = 0;
  for (let s = 0; s < map.highWater; s++) {
    if (!alive[s] || label[s] !== id) continue;
    if (heightAbovePackedFloor(q, 0, pos[3 * s], pos[3 * s + 1], pos[3 * s + 2]) <= margin) continue;
    const b = s * C;
    // Floor falls to `suppression` times the best other class: after many frames agreeing on floor, a factor
    // alone would leave it ahead.
    let other = 0, best = 0;
    for (let c = 0; c < C; c++) if (c !== f && probs[b + c] > other) { other = probs[b + c]; best = c; }
    if (!(other > 0)) continue;
    probs[b + f] = o.suppression * other;
    let sum = 0;
    for (let c = 0; c < C; c++) sum += probs[b + c];
    const inv = 1 / sum;
    for (let c = 0; c < C; c++) probs[b + c] *= inv;
    labelProb[s] = other * inv;
    label[s] = best + 1; changed++; map.touch(s, frame);
  }
  return changed;
}
