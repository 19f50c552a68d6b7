/**
 * Which changed surfels are worth sending to a viewer. Fusion touches every visible surfel every frame, but after
 * a few observations the averaging moves it by fractions of a millimetre: resending those would cost a
 * 2-million-surfel view most of its bandwidth and GPU uploads for nothing visible. The filter remembers, per
 * slot, what the viewer was last sent; a surfel goes out again when it is new to the viewer or differs visibly
 * (label, stability, position, normal, colour, radius, confidence as the viewer quantises it). The state belongs
 * to the one consumer that owns the filter; fusion itself stays stateless about viewers.
 */
import type { SurfelMap } from './surfel-map.js';

export interface DisplayTolerance {
  /** Metres a surfel may move before it is resent. */
  readonly positionM: number;
  /** Degrees its normal may turn. */
  readonly normalDeg: number;
  /** Largest colour channel change (0..255). */
  readonly color: number;
  /** Relative radius change. */
  readonly radius: number;
  /** Confidence change, in observations, below `confidenceCap` (the viewer saturates above it). */
  readonly confidence: number;
  readonly confidenceCap: number;
}

export const DEFAULT_DISPLAY_TOLERANCE: Readonly<DisplayTolerance> = Object.freeze({
  positionM: 0.002, normalDeg: 5, color: 8, radius: 0.1, confidence: 3, confidenceCap: 20,
});

export class DisplayDeltaFilter {
  readonly tolerance: DisplayTolerance;
  private readonly cosNormal: number;
  private uid = new Uint32Array(0);
  private pos = new Float32Array(0);
  private nrm = new Float32Array(0);
  private col = new Uint8Array(0);
  private rad = new Float32Array(0);
  private conf = new Float32Array(0);
  private label = new Uint8Array(0);
  private stable = new Uint8Array(0);

  constructor(tolerance: Partial<DisplayTolerance> = {}) {
    this.tolerance = { ...DEFAULT_DISPLAY_TOLERANCE, ...tolerance };
    this.cosNormal = Math.cos((this.tolerance.normalDeg * Math.PI) / 180);
  }

  /** Forgets everything sent (the viewer is sent the whole map next). */
  reset(): void {
    this.uid.fill(0);
  }

  /** True when slot s holds a surfel the viewer has not got, or got visibly different. */
  changed(map: SurfelMap, s: number, stable: number): boolean {
    if (s >= this.uid.length || this.uid[s] !== map.uid[s]) return true;
    if (this.label[s] !== map.label[s] || this.stable[s] !== stable) return true;
    const t = this.tolerance;
    const p = map.position, q = this.pos;
    const dx = p[3 * s] - q[3 * s], dy = p[3 * s + 1] - q[3 * s + 1], dz = p[3 * s + 2] - q[3 * s + 2];
    if (dx * dx + dy * dy + dz * dz > t.positionM * t.positionM) return true;
    const n = map.normal, m = this.nrm;
    if (n[3 * s] * m[3 * s] + n[3 * s + 1] * m[3 * s + 1] + n[3 * s + 2] * m[3 * s + 2] < this.cosNormal) return true;
    const c = map.color, d = this.col;
    for (let k = 0; k < 3; k++) {
      const e = c[3 * s + k] - d[3 * s + k];
      if (e > t.color || -e > t.color) return true;
    }
    const r = map.radius[s], r0 = this.rad[s];
    if (Math.abs(r - r0) > t.radius * r0) return true;
    const cap = t.confidenceCap;
    const cf = Math.min(map.confidence[s], cap), cf0 = Math.min(this.conf[s], cap);
    return Math.abs(cf - cf0) >= t.confidence;
  }

  /** Remembers slot s as sent. */
  record(map: SurfelMap, s: number, stable: number): void {
    if (s >= this.uid.length) this.grow(Math.max(map.capacity, s + 1));
    this.uid[s] = map.uid[s];
    this.label[s] = map.label[s];
    this.stable[s] = stable;
    for (let k = 0; k < 3; k++) {
      this.pos[3 * s + k] = map.position[3 * s + k];
      this.nrm[3 * s + k] = map.normal[3 * s + k];
      this.col[3 * s + k] = map.color[3 * s + k];
    }
    this.rad[s] = map.radius[s];
    this.conf[s] = map.confidence[s];
  }

  private grow(n: number): void {
    const grow = <T extends Float32Array | Uint32Array | Uint8Array>(a: T, per: number, make: (len: number) => T): T => {
      const b = make(n * per);
      b.set(a);
      return b;
    };
    this.uid = grow(this.uid, 1, (l) => new Uint32Array(l));
    this.pos = grow(this.pos, 3, (l) => new Float32Array(l));
    this.nrm = grow(this.nrm, 3, (l) => new Float32Array(l));
    this.col = grow(this.col, 3, (l) => new Uint8Array(l));
    this.rad = grow(this.rad, 1, (l) => new Float32Array(l));
    this.conf = grow(this.conf, 1, (l) => new Float32Array(l));
    this.label = grow(this.label, 1, (l) => new Uint8Array(l));
    this.stable = grow(this.stable, 1, (l) => new Uint8Array(l));
  }
}
