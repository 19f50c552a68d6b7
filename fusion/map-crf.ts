/**
 * SemanticFusion's map CRF (McCormac et al., ICRA 2017, after Krähenbühl & Koltun's dense CRF): mean-field
 * inference over the surfels' class distributions with Potts compatibility and two Gaussian kernels,
 *   appearance  w_a · exp(−|Δp|²/2θ_a² − |Δrgb|²/2θ_rgb²)   (nearby surfels of one colour tend to share a class)
 *   smoothness  w_s · exp(−|Δp|²/2θ_s² − |Δn|²/2θ_n²)        (nearby surfels of one orientation tend to share it)
 * The unary is the surfel's Bayesian distribution, floored (−log p is clamped at −log unaryFloor: a distribution
 * fused from many frames is too peaked for any neighbourhood to move it, however wrong). With Potts
 * compatibility a mean-field step is Q_i(l) ∝ p_i(l) · exp(Σ_j k_ij Q_j(l)). Each surfel keeps its
 * maxNeighbours nearest neighbours within `radius`, and k_ij is divided by maxNeighbours, so the most a
 * unanimous neighbourhood adds to a class's log-probability is w_a + w_s whatever the surfel density.
 * The result is written back as the surfels' distributions (as SemanticFusion does), with their argmax labels.
 *
 * Which surfels: those updated in the last `window` frames (chunks of the map's index older than that are
 * skipped whole), at most maxSurfels of them. Neighbours come from a hash grid of radius-sized cells built per
 * run over those surfels only. Buffers grow and are reused: a run allocates nothing once they are large enough.
 */
import type { SurfelMap } from './surfel-map.js';

export interface MapCrfOptions {
  /** Mean-field iterations per run. */
  iterations: number;
  /** Neighbour search radius (m). */
  radius: number;
  /** Neighbours kept per surfel (the nearest ones). */
  maxNeighbours: number;
  /** Appearance kernel: weight, position θ (m) and colour θ (0–255 per channel). */
  appearanceWeight: number;
  appearancePositionSigma: number;
  colourSigma: number;
  /** Smoothness kernel: weight, position θ (m) and normal θ (on |n_i − n_j|, at most 2). */
  smoothnessWeight: number;
  smoothnessPositionSigma: number;
  normalSigma: number;
  /** Smallest probability the unary takes (its −log is clamped there). */
  unaryFloor: number;
  /** Surfels updated within this many frames of the current one take part (0 = the whole map). */
  window: number;
  /** Most surfels per run (the most recently updated chunks first). */
  maxSurfels: number;
  /** Time budget (ms): no further iteration starts once it is spent (always at least one runs). */
  maxMs: number;
}

export const DEFAULT_MAP_CRF_OPTIONS: Readonly<MapCrfOptions> = Object.freeze({
  iterations: 3, radius: 0.06, maxNeighbours: 16,
  appearanceWeight: 4, appearancePositionSigma: 0.04, colourSigma: 15,
  smoothnessWeight: 4, smoothnessPositionSigma: 0.03, normalSigma: 0.3,
  unaryFloor: 1e-3, window: 60, maxSurfels: 120000, maxMs: 250,
});

/** What one run did (figures for the summary; `ms` lower is better). */
export interface MapCrfResult {
  /** Surfels taken part (fewer than selected when the time budget ran out while finding neighbours). */
  surfels: number;
  /** Mean neighbours per surfel. */
  meanNeighbours: number;
  /** Iterations run (fewer than asked when the time budget ran out). */
  iterations: number;
  /** Surfels whose argmax label changed. */
  relabelled: number;
  ms: number;
}

const now = (): number => performance.now();

export class MapCrf {
  readonly options: MapCrfOptions;
  private sel = new Int32Array(0);
  private cell = new Int32Array(0);
  private order = new Int32Array(0);
  private bucketStart = new Int32Array(0);
  private nbr = new Int32Array(0);
  private nbrW = new Float32Array(0);
  private nbrCount = new Int32Array(0);
  private unary = new Float32Array(0);
  private q = new Float32Array(0);
  private qNext = new Float32Array(0);
  private chunkOrder = new Int32Array(0);
  /** Surfels of the selection whose neighbours were found (all but when the time budget ran out). */
  private built = 0;

  constructor(options: Partial<MapCrfOptions> = {}) {
    const o = { ...DEFAULT_MAP_CRF_OPTIONS, ...options };
    for (const k of ['radius', 'maxNeighbours', 'appearancePositionSigma', 'colourSigma', 'smoothnessPositionSigma', 'normalSigma', 'maxSurfels', 'maxMs'] as const) {
      if (!(o[k] > 0)) throw new RangeError(`MapCrfOptions.${k} must be > 0, got ${o[k]}`);
    }
    if (!(Number.isInteger(o.iterations) && o.iterations >= 1)) throw new RangeError('MapCrfOptions.iterations must be an integer ≥ 1');
    if (!(o.unaryFloor > 0 && o.unaryFloor < 1)) throw new RangeError('MapCrfOptions.unaryFloor must be in (0, 1)');
    if (!(o.appearanceWeight >= 0 && o.smoothnessWeight >= 0 && o.window >= 0)) throw new RangeError('MapCrfOptions: weights and window must be ≥ 0');
    this.options = o;
  }

  /** Runs the CRF over the map's recent labelled surfels at frame `frame`; relabelled surfels are touched at `frame`. */
  run(map: SurfelMap, frame: number): MapCrfResult {
    const t0 = now();
    const o = this.options;
    const n = this.select(map, frame);
    if (n === 0) return { surfels: 0, meanNeighbours: 0, iterations: 0, relabelled: 0, ms: now() - t0 };
    const links = this.buildNeighbours(map, n, t0);
    const C = map.classCount;
    this.prepareUnary(map, n);
    let it = 0;
    while (it < o.iterations) {
      this.meanFieldStep(n, C);
      it++;
      if (now() - t0 > o.maxMs) break;
    }
    // Surfels left without neighbours (time budget) keep their distributions.
    const done = this.built;
    const relabelled = this.writeBack(map, done, frame);
    return { surfels: done, meanNeighbours: done > 0 ? links / done : 0, iterations: it, relabelled, ms: now() - t0 };
  }

  /** Lists labelled surfels updated within the window, newest chunks first, up to maxSurfels; returns the count. */
  private select(map: SurfelMap, frame: number): number {
    const o = this.options;
    const minLast = o.window > 0 ? frame - o.window : -Infinity;
    const chunks = map.chunks;
    if (this.chunkOrder.length < chunks.length) this.chunkOrder = new Int32Array(2 * chunks.length);
    const co = this.chunkOrder;
    let nc = 0;
    for (let c = 0; c < chunks.length; c++) if (chunks[c].count > 0 && chunks[c].lastActive >= minLast) co[nc++] = c;
    // Newest chunks first, so that a capped run covers what the camera saw last (insertion sort: few chunks).
    for (let a = 1; a < nc; a++) {
      const c = co[a], la = chunks[c].lastActive;
      let b = a - 1;
      while (b >= 0 && chunks[co[b]].lastActive < la) { co[b + 1] = co[b]; b--; }
      co[b + 1] = c;
    }
    let total = 0;
    for (let a = 0; a < nc; a++) total += chunks[co[a]].count;
    total = Math.min(total, o.maxSurfels);
    if (this.sel.length < total) this.grow(total, map.classCount);
    const sel = this.sel, last = map.lastUpdate, label = map.label, alive = map.alive;
    let n = 0;
    for (let a = 0; a < nc && n < total; a++) {
      const ch = chunks[co[a]];
      for (let k = 0; k < ch.count && n < total; k++) {
        const s = ch.slots[k];
        if (alive[s] && label[s] !== 0 && last[s] >= minLast) sel[n++] = s;
      }
    }
    return n;
  }

  private grow(n: number, C: number): void {
    const cap = Math.max(n, 2 * this.sel.length);
    const K = this.options.maxNeighbours;
    this.sel = new Int32Array(cap);
    this.cell = new Int32Array(3 * cap);
    this.order = new Int32Array(cap);
    this.nbr = new Int32Array(cap * K);
    this.nbrW = new Float32Array(cap * K);
    this.nbrCount = new Int32Array(cap);
    this.unary = new Float32Array(cap * C);
    this.q = new Float32Array(cap * C);
    this.qNext = new Float32Array(cap * C);
    let t = 1;
    while (t < 2 * cap) t <<= 1;
    this.bucketStart = new Int32Array(t + 1);
  }

  /** Hash grid of radius-sized cells (counting sort by bucket), then each surfel's nearest neighbours and their kernels. Returns the number of links. */
  private buildNeighbours(map: SurfelMap, n: number, t0: number): number {
    const o = this.options;
    const { sel, cell, order, nbr, nbrW, nbrCount } = this;
    const pos = map.position, nrm = map.normal, col = map.color;
    const inv = 1 / o.radius;
    let T = 1;
    while (T < 2 * n) T <<= 1;
    const mask = T - 1;
    const start = this.bucketStart;
    start.fill(0, 0, T + 1);
    for (let i = 0; i < n; i++) {
      const s = sel[i];
      const ix = Math.floor(pos[3 * s] * inv), iy = Math.floor(pos[3 * s + 1] * inv), iz = Math.floor(pos[3 * s + 2] * inv);
      cell[3 * i] = ix; cell[3 * i + 1] = iy; cell[3 * i + 2] = iz;
      start[(hashCell(ix, iy, iz) & mask) + 1]++;
    }
    for (let b = 0; b < T; b++) start[b + 1] += start[b];
    // Fill with a moving cursor per bucket (start[b] advances), then restore the starts.
    for (let i = 0; i < n; i++) {
      const b = hashCell(cell[3 * i], cell[3 * i + 1], cell[3 * i + 2]) & mask;
      order[start[b]++] = i;
    }
    for (let b = T; b > 0; b--) start[b] = start[b - 1];
    start[0] = 0;
    const K = o.maxNeighbours;
    const r2 = o.radius * o.radius;
    const ga = -0.5 / (o.appearancePositionSigma * o.appearancePositionSigma), gc = -0.5 / (o.colourSigma * o.colourSigma);
    const gs = -0.5 / (o.smoothnessPositionSigma * o.smoothnessPositionSigma), gn = -0.5 / (o.normalSigma * o.normalSigma);
    const wa = o.appearanceWeight / K, ws = o.smoothnessWeight / K;
    let links = 0;
    // Past half the time budget, the surfels left get no neighbours (the unary alone: unchanged but floored).
    const deadline = t0 + 0.5 * o.maxMs;
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 1023 && now() > deadline) { nbrCount.fill(0, i, n); this.built = i; return links; }
      const s = sel[i];
      const px = pos[3 * s], py = pos[3 * s + 1], pz = pos[3 * s + 2];
      const nx = nrm[3 * s], ny = nrm[3 * s + 1], nz = nrm[3 * s + 2];
      const cr = col[3 * s], cg = col[3 * s + 1], cb = col[3 * s + 2];
      const ix = cell[3 * i], iy = cell[3 * i + 1], iz = cell[3 * i + 2];
      const base = i * K;
      let m = 0;
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) for (let dz = -1; dz <= 1; dz++) {
        const b = hashCell(ix + dx, iy + dy, iz + dz) & mask;
        for (let e = start[b], end = start[b + 1]; e < end; e++) {
          const j = order[e];
          if (j === i) continue;
          // Buckets can hold other cells (hash collisions): the distance test sorts them out.
          const t = sel[j];
          const ex = pos[3 * t] - px, ey = pos[3 * t + 1] - py, ez = pos[3 * t + 2] - pz;
          const d2 = ex * ex + ey * ey + ez * ez;
          if (d2 > r2) continue;
          // A collision of this cell with another of the 27 would list j twice: only take j from its own cell.
          if (cell[3 * j] !== ix + dx || cell[3 * j + 1] !== iy + dy || cell[3 * j + 2] !== iz + dz) continue;
          // Keep the K nearest (insertion into a list sorted by distance; nbrW holds d² until the kernels below).
          if (m === K && d2 >= nbrW[base + K - 1]) continue;
          let at = m < K ? m++ : K - 1;
          while (at > 0 && nbrW[base + at - 1] > d2) { nbrW[base + at] = nbrW[base + at - 1]; nbr[base + at] = nbr[base + at - 1]; at--; }
          nbrW[base + at] = d2; nbr[base + at] = j;
        }
      }
      // Kernels of the kept links: appearance (position, colour) + smoothness (position, normal).
      for (let k = 0; k < m; k++) {
        const t = sel[nbr[base + k]], d2 = nbrW[base + k];
        const qr = col[3 * t] - cr, qg = col[3 * t + 1] - cg, qb = col[3 * t + 2] - cb;
        const mx = nrm[3 * t] - nx, my = nrm[3 * t + 1] - ny, mz = nrm[3 * t + 2] - nz;
        nbrW[base + k] = wa * Math.exp(d2 * ga + (qr * qr + qg * qg + qb * qb) * gc) + ws * Math.exp(d2 * gs + (mx * mx + my * my + mz * mz) * gn);
      }
      nbrCount[i] = m;
      links += m;
    }
    this.built = n;
    return links;
  }

  /** Unary probabilities (floored) and the initial Q (the surfels' own distributions). */
  private prepareUnary(map: SurfelMap, n: number): void {
    const C = map.classCount;
    const { sel, unary, q } = this;
    const probs = map.probs;
    const floor = this.options.unaryFloor;
    for (let i = 0; i < n; i++) {
      const b = sel[i] * C, o = i * C;
      for (let c = 0; c < C; c++) {
        const p = probs[b + c];
        unary[o + c] = p > floor ? p : floor;
        q[o + c] = p;
      }
    }
  }

  /** One synchronous mean-field update of every surfel's Q: Q_i(l) ∝ p_i(l)·exp(Σ_j k_ij Q_j(l)). */
  private meanFieldStep(n: number, C: number): void {
    const K = this.options.maxNeighbours;
    const { nbr, nbrW, nbrCount, unary, q, qNext } = this;
    for (let i = 0; i < n; i++) {
      const o = i * C, base = i * K, m = nbrCount[i];
      let mx = 0;
      for (let c = 0; c < C; c++) {
        let msg = 0;
        for (let k = 0; k < m; k++) msg += nbrW[base + k] * q[nbr[base + k] * C + c];
        qNext[o + c] = msg;
        if (msg > mx) mx = msg;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) { const v = unary[o + c] * Math.exp(qNext[o + c] - mx); qNext[o + c] = v; sum += v; }
      const inv = 1 / sum;
      for (let c = 0; c < C; c++) qNext[o + c] *= inv;
    }
    this.q = qNext; this.qNext = q;
  }

  /** Q becomes the surfels' distributions; returns how many argmax labels changed (those are touched). */
  private writeBack(map: SurfelMap, n: number, frame: number): number {
    const C = map.classCount;
    const { sel, q } = this;
    const probs = map.probs, label = map.label, labelProb = map.labelProb;
    let relabelled = 0;
    for (let i = 0; i < n; i++) {
      const s = sel[i], b = s * C, o = i * C;
      let best = 0, bp = -1;
      for (let c = 0; c < C; c++) { const v = q[o + c]; probs[b + c] = v; if (v > bp) { bp = v; best = c; } }
      labelProb[s] = bp;
      if (label[s] !== best + 1) { label[s] = best + 1; relabelled++; map.touch(s, frame); }
    }
    return relabelled;
  }
}

/** Spatial hash of an integer cell (Teschner et al.'s primes). */
function hashCell(x: number, y: number, z: number): number {
  return (Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791)) >>> 0;
}
