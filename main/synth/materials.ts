/**
 * Procedural surface materials. A material is a small record (kind + two colours + parameters);
 * `evaluateAlbedo` turns a surface point's texture coordinates (metres on the face) into linear RGB.
 * Patterns are cheap value noise and stripes: enough for wood grain, fabric, parquet, book spines,
 * pictures and screens to look like what they are, and to give the network texture cues.
 */
import { hash32 } from './random.js';

export const MaterialKind = {
  Paint: 0,
  Wood: 1,
  Fabric: 2,
  Parquet: 3,
  Tiles: 4,
  Carpet: 5,
  Metal: 6,
  Plastic: 7,
  Book: 8,
  Picture: 9,
  Screen: 10,
  Outside: 11,
  Emissive: 12,
  Mirror: 13,
  Paper: 14,
  Whiteboard: 15,
  Leaves: 16,
  Stone: 17,
  Porcelain: 18,
  Leather: 19,
} as const;
export type MaterialKind = (typeof MaterialKind)[keyof typeof MaterialKind];

export interface Material {
  readonly kind: MaterialKind;
  /** Main colour, sRGB 0..255. */
  readonly color: readonly [number, number, number];
  /** Secondary colour (grain, grout, frame, bands), sRGB 0..255. */
  readonly color2: readonly [number, number, number];
  /** NYUDv2 40-class id (0-based) drawn in the label image. */
  readonly label: number;
  /** Pattern scale (metres; meaning per kind, e.g. tile size, plank width). */
  readonly scale: number;
  /** Extent of the textured face (pictures, screens): width and height in metres. */
  readonly width: number;
  readonly height: number;
  /** Specular strength 0..1 (Blinn-Phong highlight of the main light). */
  readonly specular: number;
  /** Self-illumination added after lighting (lamp shades, windows, screens). */
  readonly emissive: number;
  /** Per-instance variation seed (picture content, plank shuffles). */
  readonly seed: number;
}

export type MaterialInput = Partial<Material> & Pick<Material, 'kind' | 'color' | 'label'>;

export function makeMaterial(m: MaterialInput): Material {
  return {
    color2: m.color,
    scale: 0.1,
    width: 1,
    height: 1,
    specular: 0,
    emissive: 0,
    seed: 0,
    ...m,
  };
}

/** sRGB 0..255 → linear 0..1. */
export function srgbToLinear(c: number): number {
  const x = c / 255;
  return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
}

// ---- value noise --------------------------------------------------------------------------------

const PERM = new Uint8Array(512);
const VALUES = new Float32Array(256);
for (let i = 0; i < 256; i++) PERM[i] = i;
for (let i = 255; i > 0; i--) {
  const j = hash32(i * 7919 + 17) % (i + 1);
  const t = PERM[i]; PERM[i] = PERM[j]; PERM[j] = t;
}
for (let i = 0; i < 256; i++) { PERM[i + 256] = PERM[i]; VALUES[i] = (hash32(i + 1013) & 0xffff) / 65535; }

/** Smooth value noise in [0, 1]. */
export function noise2(x: number, y: number): number {
  const xf = Math.floor(x), yf = Math.floor(y);
  const ix = xf & 255, iy = yf & 255;
  let fx = x - xf, fy = y - yf;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const a = VALUES[PERM[PERM[ix] + iy]], b = VALUES[PERM[PERM[ix + 1] + iy]];
  const c = VALUES[PERM[PERM[ix] + iy + 1]], d = VALUES[PERM[PERM[ix + 1] + iy + 1]];
  const top = a + (b - a) * fx;
  return top + (c + (d - c) * fx - top) * fy;
}

/** Hash of an integer lattice cell in [0, 1). */
export function cellHash(ix: number, iy: number, seed: number): number {
  return VALUES[PERM[(PERM[(ix + seed) & 255] + (iy & 255)) & 511]];
}

function fract(x: number): number { return x - Math.floor(x); }

/**
 * Linear-RGB material table compiled from Material records once per room, so the per-pixel path
 * reads typed arrays only.
 */
export interface MaterialTable {
  readonly count: number;
  readonly kind: Uint8Array;
  /** Linear colours, 3 per material. */
  readonly c0: Float32Array;
  readonly c1: Float32Array;
  readonly label: Uint8Array;
  readonly scale: Float32Array;
  readonly width: Float32Array;
  readonly height: Float32Array;
  readonly specular: Float32Array;
  readonly emissive: Float32Array;
  readonly seed: Uint32Array;
}

export function compileMaterials(materials: readonly Material[]): MaterialTable {
  const n = materials.length;
  const t: MaterialTable = {
    count: n,
    kind: new Uint8Array(n), c0: new Float32Array(n * 3), c1: new Float32Array(n * 3), label: new Uint8Array(n),
    scale: new Float32Array(n), width: new Float32Array(n), height: new Float32Array(n),
    specular: new Float32Array(n), emissive: new Float32Array(n), seed: new Uint32Array(n),
  };
  materials.forEach((m, i) => {
    t.kind[i] = m.kind;
    for (let c = 0; c < 3; c++) { t.c0[i * 3 + c] = srgbToLinear(m.color[c]); t.c1[i * 3 + c] = srgbToLinear(m.color2[c]); }
    t.label[i] = m.label;
    t.scale[i] = m.scale;
    t.width[i] = m.width;
    t.height[i] = m.height;
    t.specular[i] = m.specular;
    t.emissive[i] = m.emissive;
    t.seed[i] = m.seed >>> 0;
  });
  return t;
}

/** Writes the linear albedo of material `m` at face coordinates (u, v) metres into out[0..2]. */
export function evaluateAlbedo(t: MaterialTable, m: number, u: number, v: number, out: Float32Array): void {
  const k3 = m * 3;
  const r0 = t.c0[k3], g0 = t.c0[k3 + 1], b0 = t.c0[k3 + 2];
  const r1 = t.c1[k3], g1 = t.c1[k3 + 1], b1 = t.c1[k3 + 2];
  const seed = t.seed[m] & 255;
  let f = 0; // mix factor towards c1
  let s = 1; // brightness multiplier
  switch (t.kind[m]) {
    case MaterialKind.Paint:
      s = 1 + 0.06 * (noise2(u * 2.5 + seed, v * 2.5) - 0.5);
      break;
    case MaterialKind.Wood: {
      const sc = t.scale[m];
      const warp = 2.5 * noise2(u * 1.3 + seed, v * 5);
      const ring = 0.5 + 0.5 * Math.sin((v / sc + warp) * 6.2832);
      f = 0.55 * ring * ring * ring + 0.45 * noise2(u * 3 + seed, v * 160);
      break;
    }
    case MaterialKind.Fabric: {
      const weave = Math.sin(u * 700) * Math.sin(v * 700);
      s = 0.93 + 0.06 * weave + 0.12 * (noise2(u * 6 + seed, v * 6) - 0.5);
      f = 0.25 * noise2(u * 14, v * 14 + seed);
      break;
    }
    case MaterialKind.Parquet: {
      const w = t.scale[m], len = w * 7;
      const row = Math.floor(v / w);
      const off = cellHash(row, 7, seed) * len;
      const col = Math.floor((u + off) / len);
      const fu = fract((u + off) / len) * len, fv = fract(v / w) * w;
      const h = cellHash(col, row, seed);
      const grain = 0.5 + 0.5 * Math.sin((fv / (w * 0.18) + 3 * noise2((u + off) * 1.7, v * 9 + h * 40)) * 6.2832);
      f = 0.65 * h + 0.35 * grain * grain;
      if (fu < 0.003 || fv < 0.002) s = 0.45;
      break;
    }
    case MaterialKind.Tiles: {
      const size = t.scale[m];
      const fu = fract(u / size) * size, fv = fract(v / size) * size;
      if (fu < 0.004 || fv < 0.004) { f = 1; } else {
        s = 0.94 + 0.1 * cellHash(Math.floor(u / size), Math.floor(v / size), seed) + 0.04 * (noise2(u * 20, v * 20) - 0.5);
      }
      break;
    }
    case MaterialKind.Carpet:
      s = 0.8 + 0.22 * noise2(u * 260 + seed, v * 260) + 0.12 * (noise2(u * 3, v * 3 + seed) - 0.5);
      f = 0.35 * noise2(u * 18 + seed, v * 18);
      break;
    case MaterialKind.Metal:
      s = 0.88 + 0.14 * noise2(u * 3 + seed, v * 350);
      break;
    case MaterialKind.Plastic:
    case MaterialKind.Porcelain:
      s = 0.97 + 0.03 * noise2(u * 8 + seed, v * 8);
      break;
    case MaterialKind.Leather:
      s = 0.85 + 0.15 * noise2(u * 60 + seed, v * 60) + 0.1 * (noise2(u * 5, v * 5) - 0.5);
      break;
    case MaterialKind.Book: {
      // Bands across the spine near its ends and a title block in the middle.
      const h = t.height[m];
      const tv = u / h;
      if ((tv > 0.08 && tv < 0.12) || (tv > 0.86 && tv < 0.9)) f = 1;
      else if (tv > 0.35 && tv < 0.6 && noise2(u * 300, v * 80 + seed) > 0.55) f = 0.8;
      s = 0.9 + 0.1 * noise2(u * 40 + seed, v * 40);
      break;
    }
    case MaterialKind.Picture: {
      const w = t.width[m], h = t.height[m];
      const border = Math.min(0.04, 0.12 * Math.min(w, h));
      if (u < border || v < border || u > w - border || v > h - border) { f = 1; break; }
      const su = (u - border) / (w - 2 * border), sv = (v - border) / (h - 2 * border);
      if (seed & 1) {
        // Landscape: sky gradient over hills, hills over a darker field.
        const horizon = 0.45 + 0.12 * Math.sin(su * 7 + seed) + 0.08 * noise2(su * 6, seed);
        if (sv > horizon) {
          out[0] = 0.25 + 0.3 * sv; out[1] = 0.45 + 0.3 * sv; out[2] = 0.75 + 0.2 * sv;
        } else {
          const q = noise2(su * 25 + seed, sv * 25);
          out[0] = r0 * (0.6 + 0.6 * q); out[1] = g0 * (0.6 + 0.6 * q); out[2] = b0 * (0.6 + 0.6 * q);
        }
      } else {
        // Abstract: soft colour fields from the two palette colours.
        const q = noise2(su * 3 + seed, sv * 3);
        const c = noise2(su * 9, sv * 9 + seed);
        const a = q > 0.5 ? 1 : 0;
        out[0] = (a ? r0 : 0.8 - r1 * 0.5) * (0.7 + 0.5 * c);
        out[1] = (a ? g0 : 0.75 - g1 * 0.5) * (0.7 + 0.5 * c);
        out[2] = (a ? b0 : 0.6 - b1 * 0.4) * (0.7 + 0.5 * c);
      }
      return;
    }
    case MaterialKind.Screen: {
      const w = t.width[m], h = t.height[m];
      const su = u / w, sv = v / h;
      if (su < 0.03 || sv < 0.04 || su > 0.97 || sv > 0.96) { out[0] = 0.01; out[1] = 0.01; out[2] = 0.012; return; }
      if (seed & 1) {
        // Switched on: a bright blocky picture.
        const q = noise2(su * 5 + seed, sv * 4);
        out[0] = 0.15 + 0.6 * q * r0; out[1] = 0.2 + 0.5 * q * g0; out[2] = 0.3 + 0.5 * (1 - q) * b0;
      } else {
        const g = 0.02 + 0.05 * (1 - Math.abs(su - sv));
        out[0] = g; out[1] = g; out[2] = g * 1.15;
      }
      return;
    }
    case MaterialKind.Outside: {
      const h = t.height[m];
      const sv = v / h;
      out[0] = 0.55 + 0.3 * sv; out[1] = 0.68 + 0.25 * sv; out[2] = 0.85 + 0.15 * sv;
      if (sv < 0.3 + 0.15 * noise2(u * 2 + seed, 3)) { // distant trees/buildings
        const q = 0.25 + 0.2 * noise2(u * 12, v * 12 + seed);
        out[0] = q * 0.7; out[1] = q; out[2] = q * 0.6;
      }
      return;
    }
    case MaterialKind.Emissive:
      s = 0.95 + 0.05 * noise2(u * 30, v * 30);
      break;
    case MaterialKind.Mirror: {
      const q = noise2(u * 1.5 + seed, v * 1.5);
      s = 0.6 + 0.5 * q;
      f = v * 0.6;
      break;
    }
    case MaterialKind.Paper: {
      const line = fract(v / 0.012);
      if (line < 0.35 && noise2(u * 90, v * 30 + seed) > 0.45) f = 0.8;
      break;
    }
    case MaterialKind.Whiteboard: {
      const q = noise2(u * 12 + seed, v * 12);
      if (q > 0.48 && q < 0.5) f = 1;
      break;
    }
    case MaterialKind.Leaves: {
      const q = noise2(u * 50 + seed, v * 50);
      f = q > 0.55 ? 1 : 0;
      s = 0.7 + 0.5 * noise2(u * 15, v * 15 + seed);
      break;
    }
    case MaterialKind.Stone:
      f = noise2(u * 120 + seed, v * 120) > 0.72 ? 1 : 0.15 * noise2(u * 10, v * 10);
      break;
  }
  out[0] = (r0 + (r1 - r0) * f) * s;
  out[1] = (g0 + (g1 - g0) * f) * s;
  out[2] = (b0 + (b1 - b0) * f) * s;
}
