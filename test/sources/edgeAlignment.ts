/**
 * Measures how well depth discontinuities line up with colour edges (test helper).
 * RGB edges: Sobel magnitude of grey above a percentile; distance transform (exact squared-Euclidean,
 * Felzenszwalb–Huttenlocher) gives every pixel its distance to the nearest colour edge. Depth edges:
 * foreground pixels of a depth jump to a valid 4-neighbour. The score is the mean distance (capped) from
 * depth-edge pixels, shifted by (dx, dy), to the nearest colour edge: lower is better.
 */
export interface EdgeAlignmentOptions {
  readonly gradientPercentile: number;
  readonly minJumpM: number;
  readonly relativeJump: number;
  readonly capPx: number;
  /** Pixels this close to the border are ignored (undistortion leaves black margins). */
  readonly borderPx: number;
}

export const DEFAULT_EDGE_ALIGNMENT_OPTIONS: EdgeAlignmentOptions = {
  gradientPercentile: 0.9, minJumpM: 0.1, relativeJump: 0.05, capPx: 15, borderPx: 24,
};

function dt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0; z[0] = -Infinity; z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) { k--; s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]); }
    k++; v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/** Euclidean distance (px) to the nearest true pixel of mask. */
export function distanceTransform(mask: Uint8Array, w: number, h: number): Float64Array {
  const INF = 1e12;
  const g = new Float64Array(w * h);
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n), v = new Int32Array(n), z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = mask[y * w + x] ? 0 : INF;
    dt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) g[y * w + x] = d[y];
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = g[y * w + x];
    dt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) g[y * w + x] = Math.sqrt(d[x]);
  }
  return g;
}

export function rgbEdgeDistance(rgb: Uint8Array, w: number, h: number, o: EdgeAlignmentOptions = DEFAULT_EDGE_ALIGNMENT_OPTIONS): Float64Array {
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
  const mag = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = grey[i - w + 1] + 2 * grey[i + 1] + grey[i + w + 1] - grey[i - w - 1] - 2 * grey[i - 1] - grey[i + w - 1];
      const gy = grey[i + w - 1] + 2 * grey[i + w] + grey[i + w + 1] - grey[i - w - 1] - 2 * grey[i - w] - grey[i - w + 1];
      mag[i] = Math.hypot(gx, gy);
    }
  }
  const sorted = Float32Array.from(mag).sort();
  const thr = sorted[Math.floor(o.gradientPercentile * (sorted.length - 1))];
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) mask[i] = mag[i] > thr ? 1 : 0;
  return distanceTransform(mask, w, h);
}

/** Indices of foreground pixels at depth discontinuities. */
export function depthEdges(depth: Float32Array, w: number, h: number, o: EdgeAlignmentOptions = DEFAULT_EDGE_ALIGNMENT_OPTIONS): number[] {
  const out: number[] = [];
  for (let y = o.borderPx; y < h - o.borderPx; y++) {
    for (let x = o.borderPx; x < w - o.borderPx; x++) {
      const i = y * w + x;
      const d = depth[i];
      if (!(d > 0)) continue;
      const jump = Math.max(o.minJumpM, o.relativeJump * d);
      for (const j of [i - 1, i + 1, i - w, i + w]) {
        const e = depth[j];
        if (e > 0 && e - d > jump) { out.push(i); break; }
      }
    }
  }
  return out;
}

export function edgeScore(edges: readonly number[], dist: Float64Array, w: number, h: number, dx: number, dy: number, o: EdgeAlignmentOptions = DEFAULT_EDGE_ALIGNMENT_OPTIONS): number {
  let sum = 0, n = 0;
  for (const i of edges) {
    const x = (i % w) + dx, y = Math.floor(i / w) + dy;
    if (x < 0 || y < 0 || x >= w || y >= h) continue;
    sum += Math.min(o.capPx, dist[y * w + x]);
    n++;
  }
  return n === 0 ? Infinity : sum / n;
}

export interface ShiftScan { readonly score0: number; readonly bestDx: number; readonly bestDy: number; readonly bestScore: number; readonly edgeCount: number }

/** Score at zero shift and the shift (|dx|,|dy| ≤ radius) that would align best. */
export function scanShifts(depth: Float32Array, rgb: Uint8Array, w: number, h: number, radius: number): ShiftScan {
  const dist = rgbEdgeDistance(rgb, w, h);
  const edges = depthEdges(depth, w, h);
  let best = { dx: 0, dy: 0, s: Infinity };
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const s = edgeScore(edges, dist, w, h, dx, dy);
      if (s < best.s) best = { dx, dy, s };
    }
  }
  return { score0: edgeScore(edges, dist, w, h, 0, 0), bestDx: best.dx, bestDy: best.dy, bestScore: best.s, edgeCount: edges.length };
}
