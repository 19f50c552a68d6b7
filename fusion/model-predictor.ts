/**
 * Model prediction (ElasticFusion's IndexMap::combinedPredict): renders the active surfels seen from a pose
 * into vertex / normal / colour / intensity / surfel-slot maps by projective splatting with a z-buffer, then
 * builds the coarser pyramid levels the tracker needs. Vertices and normals are in world coordinates.
 */
import type { Intrinsics } from './camera.js';
import { scaleIntrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import { invertRigid } from './se3.js';
import type { SurfelFilter, SurfelMap } from './surfel-map.js';
import { SlotList } from './surfel-map.js';

/** One level of a predicted view. Pixels with depth 0 are empty. */
export interface PredictedLevel {
  readonly intrinsics: Intrinsics;
  readonly width: number;
  readonly height: number;
  /** Camera-frame depth of the rendered surfel (m), 0 = empty. */
  readonly depth: Float32Array;
  /** World-frame surfel positions and normals, 3 per pixel. */
  readonly vertex: Float32Array;
  readonly normal: Float32Array;
  /** Rendered intensity in [0, 1]. */
  readonly intensity: Float32Array;
  /** Surfel slot per pixel, −1 = empty (level 0 only is exact; coarser levels copy one of their 4 children). */
  readonly slot: Int32Array;
}

function makeLevel(k: Intrinsics): PredictedLevel {
  const n = k.width * k.height;
  return {
    intrinsics: k, width: k.width, height: k.height, depth: new Float32Array(n), vertex: new Float32Array(3 * n),
    normal: new Float32Array(3 * n), intensity: new Float32Array(n), slot: new Int32Array(n),
  };
}

export class ModelPredictor {
  readonly levels: PredictedLevel[] = [];
  /** Colour at level 0, 3 per pixel. */
  readonly color: Uint8Array;
  /** Pose the current maps were rendered from. */
  readonly T_world_camera = new Float64Array(16);
  /** Surfels the last prediction considered (in the frustum and passing the filter). */
  readonly candidates = new SlotList();
  private readonly T_camera_world = new Float64Array(16);

  constructor(intrinsics: Intrinsics, levels: number, private readonly maxSplatRadiusPx: number) {
    let k = intrinsics;
    for (let l = 0; l < levels; l++) {
      this.levels.push(makeLevel(k));
      k = scaleIntrinsics(k, k.width >> 1, k.height >> 1);
    }
    this.color = new Uint8Array(3 * intrinsics.width * intrinsics.height);
  }

  /** Renders the map from T_world_camera. Returns the number of surfels splatted. */
  predict(map: SurfelMap, T_world_camera: Mat4, filter: SurfelFilter): number {
    this.T_world_camera.set(T_world_camera);
    invertRigid(this.T_camera_world, T_world_camera);
    const L0 = this.levels[0];
    const k = L0.intrinsics;
    const list = this.candidates;
    map.collectInFrustum(this.T_camera_world, k, { ...filter, borderPx: this.maxSplatRadiusPx }, list);
    const { width: w, height: h, depth, vertex, normal, intensity, slot } = L0;
    const color = this.color;
    depth.fill(0);
    slot.fill(-1);
    const pos = map.position, nrm = map.normal, col = map.color, rad = map.radius;
    const fx = k.fx;
    const maxR = this.maxSplatRadiusPx;
    for (let j = 0; j < list.count; j++) {
      const s = list.slots[j];
      const z = list.z[j];
      // Square splat covering the disc's projected radius (at least the own pixel).
      let rp = (rad[s] * fx) / z;
      if (rp > maxR) rp = maxR;
      const uc = list.u[j], vc = list.v[j];
      const x0 = Math.max(0, Math.round(uc - rp)), x1 = Math.min(w - 1, Math.round(uc + rp));
      const y0 = Math.max(0, Math.round(vc - rp)), y1 = Math.min(h - 1, Math.round(vc + rp));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const i = y * w + x;
          const d = depth[i];
          if (d !== 0 && d <= z) continue;
          depth[i] = z;
          slot[i] = s;
        }
      }
    }
    // Fill attributes once per pixel from the winning slot (cheaper than writing them at every z-test).
    for (let i = 0; i < w * h; i++) {
      const s = slot[i];
      if (s < 0) continue;
      vertex[3 * i] = pos[3 * s]; vertex[3 * i + 1] = pos[3 * s + 1]; vertex[3 * i + 2] = pos[3 * s + 2];
      normal[3 * i] = nrm[3 * s]; normal[3 * i + 1] = nrm[3 * s + 1]; normal[3 * i + 2] = nrm[3 * s + 2];
      const r = col[3 * s], g = col[3 * s + 1], b = col[3 * s + 2];
      color[3 * i] = r; color[3 * i + 1] = g; color[3 * i + 2] = b;
      intensity[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
    for (let l = 1; l < this.levels.length; l++) downsamplePrediction(this.levels[l - 1], this.levels[l]);
    return list.count;
  }
}

/** Coarser level: the nearest of the 4 children for geometry, the mean of valid children for intensity. */
function downsamplePrediction(a: PredictedLevel, b: PredictedLevel): void {
  const wa = a.width;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const o = y * b.width + x;
      const i0 = 2 * y * wa + 2 * x;
      let best = -1, bz = Infinity, isum = 0, n = 0;
      for (let c = 0; c < 4; c++) {
        const i = i0 + (c & 1) + (c >> 1) * wa;
        const z = a.depth[i];
        if (z === 0) continue;
        isum += a.intensity[i]; n++;
        if (z < bz) { bz = z; best = i; }
      }
      if (best < 0) { b.depth[o] = 0; b.slot[o] = -1; continue; }
      b.depth[o] = bz;
      b.slot[o] = a.slot[best];
      b.vertex[3 * o] = a.vertex[3 * best]; b.vertex[3 * o + 1] = a.vertex[3 * best + 1]; b.vertex[3 * o + 2] = a.vertex[3 * best + 2];
      b.normal[3 * o] = a.normal[3 * best]; b.normal[3 * o + 1] = a.normal[3 * best + 1]; b.normal[3 * o + 2] = a.normal[3 * best + 2];
      b.intensity[o] = isum / n;
    }
  }
}
