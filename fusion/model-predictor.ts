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
import type { SplatArgs } from './splat.js';
import type { BufferAllocator } from './parallel/buffers.js';
import type { KernelPool } from './parallel/pool.js';
import { MAX_PARTS, serialPool } from './parallel/pool.js';

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

function makeLevel(k: Intrinsics, alloc: BufferAllocator): PredictedLevel {
  const n = k.width * k.height;
  return {
    intrinsics: k, width: k.width, height: k.height, depth: alloc.f32(n), vertex: alloc.f32(3 * n),
    normal: alloc.f32(3 * n), intensity: alloc.f32(n), slot: alloc.i32(n),
  };
}

export class ModelPredictor {
  readonly levels: PredictedLevel[] = [];
  /** Colour at level 0, 3 per pixel. */
  readonly color: Uint8Array;
  /** Pose the current maps were rendered from. */
  readonly T_world_camera = new Float64Array(16);
  /** Surfels the last prediction considered (in the frustum and passing the filter). */
  readonly candidates: SlotList;
  private readonly T_camera_world = new Float64Array(16);
  private readonly key: Float32Array;
  private readonly splatParams: Float64Array;

  private readonly partOut: Float64Array;

  constructor(intrinsics: Intrinsics, levels: number, private readonly maxSplatRadiusPx: number, private readonly splatScale = 1,
    private readonly pool: KernelPool = serialPool) {
    const alloc = pool.allocator;
    this.partOut = alloc.f64(MAX_PARTS);
    this.candidates = new SlotList(alloc);
    let k = intrinsics;
    for (let l = 0; l < levels; l++) {
      this.levels.push(makeLevel(k, alloc));
      k = scaleIntrinsics(k, k.width >> 1, k.height >> 1);
    }
    this.color = alloc.u8(3 * intrinsics.width * intrinsics.height);
    this.key = alloc.f32(intrinsics.width * intrinsics.height);
    this.splatParams = alloc.f64(24);
  }

  /**
   * Takes level 0 as already filled for T_world_camera (see SurfelFuser.renderAssociation) and builds the
   * coarser levels.
   */
  adoptLevel0(T_world_camera: Mat4): void {
    this.T_world_camera.set(T_world_camera);
    this.buildCoarseLevels();
  }

  private buildCoarseLevels(): void {
    for (let l = 1; l < this.levels.length; l++) {
      const a = this.levels[l - 1], b = this.levels[l];
      this.pool.run('downsamplePredictionRows', {
        aDepth: a.depth, aVertex: a.vertex, aNormal: a.normal, aIntensity: a.intensity, aSlot: a.slot,
        bDepth: b.depth, bVertex: b.vertex, bNormal: b.normal, bIntensity: b.intensity, bSlot: b.slot, aw: a.width, bw: b.width,
      }, b.height, this.partOut, 1, Math.ceil(4096 / b.width));
    }
  }

  /** Renders the map from T_world_camera. Returns the number of surfels splatted. */
  predict(map: SurfelMap, T_world_camera: Mat4, filter: SurfelFilter): number {
    this.T_world_camera.set(T_world_camera);
    invertRigid(this.T_camera_world, T_world_camera);
    const L0 = this.levels[0];
    const k = L0.intrinsics;
    const list = this.candidates;
    map.collectInFrustum(this.T_camera_world, k, { ...filter, borderPx: this.maxSplatRadiusPx }, list);
    const { width: w, depth, vertex, normal, intensity, slot } = L0;
    const h = L0.height;
    const color = this.color;
    depth.fill(0);
    slot.fill(-1);
    // Split into bands of rows, one per thread: each band sees every surfel in list order (same result as one pass).
    const q = this.splatParams;
    q.set(this.T_camera_world, 0);
    q[16] = w; q[17] = h; q[18] = k.fx; q[19] = k.fy; q[20] = k.cx; q[21] = k.cy; q[22] = this.maxSplatRadiusPx; q[23] = this.splatScale;
    const splat: SplatArgs = {
      normal: map.normal, radius: map.radius, slots: list.slots, x: list.x, y: list.y, z: list.z, u: list.u, v: list.v,
      count: list.count, depth, slot, key: this.key, params: q,
    };
    this.pool.run('splatRows', splat, h, this.partOut, 1, Math.ceil(h / this.pool.threads));
    const nrm = map.normal, col = map.color;
    const T = T_world_camera;
    const r00 = T[0], r10 = T[1], r20 = T[2], r01 = T[4], r11 = T[5], r21 = T[6], r02 = T[8], r12 = T[9], r22 = T[10];
    const tx = T[12], ty = T[13], tz = T[14];
    const ifx = 1 / k.fx, ify = 1 / k.fy;
    // Fill attributes once per pixel from the winning slot (cheaper than writing them at every z-test).
    for (let i = 0; i < w * h; i++) {
      const s = slot[i];
      if (s < 0) continue;
      // The vertex is where this pixel's ray meets the surfel's disc, in world coordinates.
      const z = depth[i];
      const y = (i / w) | 0, x = i - y * w;
      const cxp = (x - k.cx) * ifx * z, cyp = (y - k.cy) * ify * z;
      vertex[3 * i] = r00 * cxp + r01 * cyp + r02 * z + tx;
      vertex[3 * i + 1] = r10 * cxp + r11 * cyp + r12 * z + ty;
      vertex[3 * i + 2] = r20 * cxp + r21 * cyp + r22 * z + tz;
      normal[3 * i] = nrm[3 * s]; normal[3 * i + 1] = nrm[3 * s + 1]; normal[3 * i + 2] = nrm[3 * s + 2];
      const r = col[3 * s], g = col[3 * s + 1], b = col[3 * s + 2];
      color[3 * i] = r; color[3 * i + 1] = g; color[3 * i + 2] = b;
      intensity[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
    this.buildCoarseLevels();
    return list.count;
  }
}

export interface DownsamplePredictionArgs {
  /** Finer level a (width aw) and coarser level b (width bw). */
  aDepth: Float32Array; aVertex: Float32Array; aNormal: Float32Array; aIntensity: Float32Array; aSlot: Int32Array;
  bDepth: Float32Array; bVertex: Float32Array; bNormal: Float32Array; bIntensity: Float32Array; bSlot: Int32Array;
  aw: number;
  bw: number;
}

/** Rows [y0, y1) of a coarser level: the nearest of the 4 children for geometry, the mean of valid children for intensity. */
export function downsamplePredictionRows(a: DownsamplePredictionArgs, y0: number, y1: number): void {
  const wa = a.aw, wb = a.bw;
  const aD = a.aDepth, aV = a.aVertex, aN = a.aNormal, aI = a.aIntensity, aS = a.aSlot;
  const bD = a.bDepth, bV = a.bVertex, bN = a.bNormal, bI = a.bIntensity, bS = a.bSlot;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < wb; x++) {
      const o = y * wb + x;
      const i0 = 2 * y * wa + 2 * x;
      let best = -1, bz = Infinity, isum = 0, n = 0;
      for (let c = 0; c < 4; c++) {
        const i = i0 + (c & 1) + (c >> 1) * wa;
        const z = aD[i];
        if (z === 0) continue;
        isum += aI[i]; n++;
        if (z < bz) { bz = z; best = i; }
      }
      if (best < 0) { bD[o] = 0; bS[o] = -1; continue; }
      bD[o] = bz;
      bS[o] = aS[best];
      bV[3 * o] = aV[3 * best]; bV[3 * o + 1] = aV[3 * best + 1]; bV[3 * o + 2] = aV[3 * best + 2];
      bN[3 * o] = aN[3 * best]; bN[3 * o + 1] = aN[3 * best + 1]; bN[3 * o + 2] = aN[3 * best + 2];
      bI[o] = isum / n;
    }
  }
}
