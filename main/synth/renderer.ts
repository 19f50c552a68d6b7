/**
 * CPU triangle rasteriser for synthetic rooms: z-buffer on inverse depth (affine in screen space,
 * so depth is perspective-correct by construction), then a deferred shading pass that rebuilds the
 * exact surface point of every pixel from its depth and shades it from the triangle's material,
 * texture frame and normal. Outputs RGB, exact z-depth, 40-class labels and camera-frame normals.
 *
 * Buffers belong to the Renderer and are overwritten by the next render() call.
 */
import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import { VOID_LABEL } from '../../fusion/classes.js';
import { compileMaterials, evaluateAlbedo, type MaterialTable } from './materials.js';
import { ShadingMode } from './mesh.js';
import type { Room } from './room.js';

export interface RenderOptions {
  /** Near clipping distance, metres. */
  readonly near: number;
  /** Linear exposure multiplier before tone mapping. */
  readonly exposure: number;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = { near: 0.05, exposure: 1.0 };

/** One rendered view. Arrays are the Renderer's own and are reused by its next render(). */
export interface RenderResult {
  readonly width: number;
  readonly height: number;
  /** Row-major H×W×3 sRGB. */
  readonly rgb: Uint8Array;
  /** Exact z-depth along the optical axis, metres; 0 where nothing was hit. */
  readonly depth: Float32Array;
  /** NYUDv2 40-class ids, 255 = void. */
  readonly labels40: Uint8Array;
  /** Unit surface normals in the camera frame (x right, y down, z forward), 3 per pixel. */
  readonly normals: Float32Array;
  /** Index into room.objects per pixel, 0xffff = none. */
  readonly objects: Uint16Array;
}

interface CompiledRoom {
  readonly materials: MaterialTable;
}

const compiledRooms = new WeakMap<Room, CompiledRoom>();

function compiled(room: Room): CompiledRoom {
  let c = compiledRooms.get(room);
  if (!c) {
    c = { materials: compileMaterials(room.materials) };
    compiledRooms.set(room, c);
  }
  return c;
}

/** Tone curve: linear radiance 0..TONE_MAX → sRGB byte, with a soft shoulder so lamps do not clip hard. */
const TONE_SIZE = 4096;
const TONE_MAX = 4;
const TONE = new Uint8Array(TONE_SIZE + 1);
for (let i = 0; i <= TONE_SIZE; i++) {
  const x = (i / TONE_SIZE) * TONE_MAX;
  const y = x / (1 + 0.18 * x);
  const s = y <= 0.0031308 ? 12.92 * y : 1.055 * Math.pow(y, 1 / 2.4) - 0.055;
  TONE[i] = Math.max(0, Math.min(255, Math.round(s * 255)));
}

export class Renderer {
  readonly width: number;
  readonly height: number;
  private readonly invDepth: Float64Array;
  private readonly tri: Int32Array;
  private readonly result: RenderResult;
  private readonly albedo = new Float32Array(3);
  /** Camera-space scratch for clipping: up to 4 vertices × (x, y, z). */
  private readonly clip = new Float64Array(12);
  private readonly clipOut = new Float64Array(15);

  constructor(width: number, height: number) {
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) throw new Error(`bad render size ${width}x${height}`);
    this.width = width;
    this.height = height;
    const n = width * height;
    this.invDepth = new Float64Array(n);
    this.tri = new Int32Array(n);
    this.result = {
      width, height,
      rgb: new Uint8Array(n * 3), depth: new Float32Array(n), labels40: new Uint8Array(n),
      normals: new Float32Array(n * 3), objects: new Uint16Array(n),
    };
  }

  render(room: Room, T_world_camera: Mat4, intrinsics: Intrinsics, options: Partial<RenderOptions> = {}): RenderResult {
    if (intrinsics.width !== this.width || intrinsics.height !== this.height) {
      throw new Error(`intrinsics are ${intrinsics.width}x${intrinsics.height} but the renderer is ${this.width}x${this.height}`);
    }
    const o = { ...DEFAULT_RENDER_OPTIONS, ...options };
    this.rasterise(room, T_world_camera, intrinsics, o.near);
    this.shade(room, T_world_camera, intrinsics, o.exposure);
    return this.result;
  }

  // ---- pass 1: visibility --------------------------------------------------------------------

  private rasterise(room: Room, T: Mat4, K: Intrinsics, near: number): void {
    this.invDepth.fill(0);
    this.tri.fill(-1);
    const mesh = room.mesh;
    const P = mesh.positions, N = mesh.normals;
    const ex = T[12], ey = T[13], ez = T[14];
    const r00 = T[0], r10 = T[1], r20 = T[2], r01 = T[4], r11 = T[5], r21 = T[6], r02 = T[8], r12 = T[9], r22 = T[10];
    const c = this.clip;
    for (let t = 0; t < mesh.triangleCount; t++) {
      const p = t * 9;
      // Back faces (normal pointing away from the eye) are never visible in closed geometry.
      if (N[t * 3] * (P[p] - ex) + N[t * 3 + 1] * (P[p + 1] - ey) + N[t * 3 + 2] * (P[p + 2] - ez) >= 0) continue;
      let behind = 0;
      for (let k = 0; k < 3; k++) {
        const dx = P[p + k * 3] - ex, dy = P[p + k * 3 + 1] - ey, dz = P[p + k * 3 + 2] - ez;
        // world → camera: R^T (p - t); R's columns are the camera axes in world coordinates.
        c[k * 3] = r00 * dx + r10 * dy + r20 * dz;
        c[k * 3 + 1] = r01 * dx + r11 * dy + r21 * dz;
        const z = r02 * dx + r12 * dy + r22 * dz;
        c[k * 3 + 2] = z;
        if (z < near) behind++;
      }
      if (behind === 3) continue;
      if (behind === 0) {
        this.rasterTriangle(t, c, 0, 3, 6, K);
      } else {
        const n = this.clipNear(near);
        const q = this.clipOut;
        for (let k = 1; k + 1 < n; k++) this.rasterTriangleFrom(t, q, 0, k * 3, (k + 1) * 3, K);
      }
    }
  }

  /** Sutherland–Hodgman against z = near; result in clipOut, returns the vertex count. */
  private clipNear(near: number): number {
    const c = this.clip, q = this.clipOut;
    let n = 0;
    for (let k = 0; k < 3; k++) {
      const a = k * 3, b = ((k + 1) % 3) * 3;
      const za = c[a + 2], zb = c[b + 2];
      const ina = za >= near, inb = zb >= near;
      if (ina) { q[n * 3] = c[a]; q[n * 3 + 1] = c[a + 1]; q[n * 3 + 2] = za; n++; }
      if (ina !== inb) {
        const s = (near - za) / (zb - za);
        q[n * 3] = c[a] + s * (c[b] - c[a]);
        q[n * 3 + 1] = c[a + 1] + s * (c[b + 1] - c[a + 1]);
        q[n * 3 + 2] = near;
        n++;
      }
    }
    return n;
  }

  private rasterTriangleFrom(t: number, q: Float64Array, a: number, b: number, c: number, K: Intrinsics): void {
    const s = this.clip;
    s[0] = q[a]; s[1] = q[a + 1]; s[2] = q[a + 2];
    s[3] = q[b]; s[4] = q[b + 1]; s[5] = q[b + 2];
    s[6] = q[c]; s[7] = q[c + 1]; s[8] = q[c + 2];
    this.rasterTriangle(t, s, 0, 3, 6, K);
  }

  /** Scan-converts one camera-space triangle (all z ≥ near), keeping the nearest surface per pixel. */
  private rasterTriangle(t: number, c: Float64Array, ia: number, ib: number, ic: number, K: Intrinsics): void {
    const W = this.width, H = this.height;
    const wa = 1 / c[ia + 2], wb = 1 / c[ib + 2], wc = 1 / c[ic + 2];
    let x0 = K.fx * c[ia] * wa + K.cx, y0 = K.fy * c[ia + 1] * wa + K.cy;
    let x1 = K.fx * c[ib] * wb + K.cx, y1 = K.fy * c[ib + 1] * wb + K.cy;
    let x2 = K.fx * c[ic] * wc + K.cx, y2 = K.fy * c[ic + 1] * wc + K.cy;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (!(Math.abs(area) > 1e-12)) return;
    // Inverse depth is affine in screen space: w = w0 + dwdx (x - x0) + dwdy (y - y0).
    const dwdx = ((wb - wa) * (y2 - y0) - (wc - wa) * (y1 - y0)) / area;
    const dwdy = ((wc - wa) * (x1 - x0) - (wb - wa) * (x2 - x0)) / area;
    const wx0 = x0, wy0 = y0, w0 = wa;
    // Sort vertices by y (top A, middle B, bottom C).
    let t0: number;
    if (y1 < y0) { t0 = x0; x0 = x1; x1 = t0; t0 = y0; y0 = y1; y1 = t0; }
    if (y2 < y0) { t0 = x0; x0 = x2; x2 = t0; t0 = y0; y0 = y2; y2 = t0; }
    if (y2 < y1) { t0 = x1; x1 = x2; x2 = t0; t0 = y1; y1 = y2; y2 = t0; }
    const eps = 1e-7;
    const yStart = Math.max(0, Math.ceil(y0 - eps)), yEnd = Math.min(H - 1, Math.floor(y2 + eps));
    if (yStart > yEnd) return;
    const invLong = y2 - y0 > 0 ? 1 / (y2 - y0) : 0;
    const invTop = y1 - y0 > 0 ? 1 / (y1 - y0) : 0;
    const invBot = y2 - y1 > 0 ? 1 / (y2 - y1) : 0;
    const buf = this.invDepth, tri = this.tri;
    for (let y = yStart; y <= yEnd; y++) {
      const xl = x0 + (x2 - x0) * Math.min(1, Math.max(0, (y - y0) * invLong));
      const xs = y < y1
        ? x0 + (x1 - x0) * Math.min(1, Math.max(0, (y - y0) * invTop))
        : x1 + (x2 - x1) * Math.min(1, Math.max(0, (y - y1) * invBot));
      let xa = xl < xs ? xl : xs, xb = xl < xs ? xs : xl;
      xa = Math.max(0, Math.ceil(xa - eps));
      xb = Math.min(W - 1, Math.floor(xb + eps));
      if (xa > xb) continue;
      let w = w0 + dwdx * (xa - wx0) + dwdy * (y - wy0);
      let i = y * W + xa;
      for (let x = xa; x <= xb; x++, i++, w += dwdx) {
        if (w > buf[i]) { buf[i] = w; tri[i] = t; }
      }
    }
  }

  // ---- pass 2: shading -----------------------------------------------------------------------

  private shade(room: Room, T: Mat4, K: Intrinsics, exposure: number): void {
    const { materials: mt } = compiled(room);
    const mesh = room.mesh;
    const N = mesh.normals, F = mesh.frames, modes = mesh.modes, mats = mesh.materials, objs = mesh.objects;
    const { rgb, depth, labels40, normals, objects } = this.result;
    const W = this.width, H = this.height;
    const buf = this.invDepth, tri = this.tri;
    const ex = T[12], ey = T[13], ez = T[14];
    const r00 = T[0], r10 = T[1], r20 = T[2], r01 = T[4], r11 = T[5], r21 = T[6], r02 = T[8], r12 = T[9], r22 = T[10];
    const fx = K.fx, fy = K.fy, cx = K.cx, cy = K.cy;
    const alb = this.albedo;
    const lights = room.pointLights;
    const nl = lights.length;
    const lp = new Float64Array(nl * 3), lc = new Float64Array(nl * 3);
    lights.forEach((l, k) => { lp.set(l.position, k * 3); lc.set(l.color, k * 3); });
    const sdx = room.sun.direction[0], sdy = room.sun.direction[1], sdz = room.sun.direction[2];
    const sr = room.sun.color[0], sg = room.sun.color[1], sb = room.sun.color[2];
    const ar = room.ambient[0], ag = room.ambient[1], ab = room.ambient[2];
    const walls = room.walls, nw = walls.length;
    const wa = new Float64Array(nw * 2), wd = new Float64Array(nw * 3), wn = new Float64Array(nw * 2);
    walls.forEach((w, k) => {
      wa[k * 2] = w.a[0]; wa[k * 2 + 1] = w.a[1];
      wd[k * 3] = (w.b[0] - w.a[0]) / w.length; wd[k * 3 + 1] = (w.b[1] - w.a[1]) / w.length; wd[k * 3 + 2] = w.length;
      wn[k * 2] = w.normal[0]; wn[k * 2 + 1] = w.normal[1];
    });
    const roomH = room.height;
    const fo = room.floorOcclusion;
    const aoR = 0.35;
    const toneScale = (TONE_SIZE / TONE_MAX) * exposure;

    for (let y = 0, i = 0; y < H; y++) {
      const ry = (y - cy) / fy;
      for (let x = 0; x < W; x++, i++) {
        const t = tri[i];
        if (t < 0) {
          rgb[i * 3] = 0; rgb[i * 3 + 1] = 0; rgb[i * 3 + 2] = 0;
          depth[i] = 0; labels40[i] = VOID_LABEL; objects[i] = 0xffff;
          normals[i * 3] = 0; normals[i * 3 + 1] = 0; normals[i * 3 + 2] = 0;
          continue;
        }
        const z = 1 / buf[i];
        const rx = (x - cx) / fx;
        const pcx = rx * z, pcy = ry * z;
        // Exact surface point in world coordinates.
        const px = r00 * pcx + r01 * pcy + r02 * z + ex;
        const py = r10 * pcx + r11 * pcy + r12 * z + ey;
        const pz = r20 * pcx + r21 * pcy + r22 * z + ez;
        const f = t * 9;
        const ox = px - F[f], oy = py - F[f + 1], oz = pz - F[f + 2];
        let nx = 0, ny = 0, nz = 0, u = 0, v = 0;
        if (modes[t] === ShadingMode.Cylinder) {
          const vx = F[f + 6], vy = F[f + 7], vz = F[f + 8];
          const h = ox * vx + oy * vy + oz * vz;
          let dx = ox - h * vx, dy = oy - h * vy, dz = oz - h * vz;
          const r = Math.sqrt(dx * dx + dy * dy + dz * dz) || 1;
          dx /= r; dy /= r; dz /= r;
          nx = dx; ny = dy; nz = dz;
          const ux = F[f + 3], uy = F[f + 4], uz = F[f + 5];
          const cu = dx * ux + dy * uy + dz * uz;
          const cv = dx * (vy * uz - vz * uy) + dy * (vz * ux - vx * uz) + dz * (vx * uy - vy * ux);
          u = Math.atan2(cv, cu) * r;
          v = h;
        } else {
          nx = N[t * 3]; ny = N[t * 3 + 1]; nz = N[t * 3 + 2];
          u = ox * F[f + 3] + oy * F[f + 4] + oz * F[f + 5];
          v = ox * F[f + 6] + oy * F[f + 7] + oz * F[f + 8];
        }
        const m = mats[t];
        evaluateAlbedo(mt, m, u, v, alb);

        // Cheap ambient occlusion: room corners and edges analytically, furniture contact from the baked floor grid.
        let ao = 1;
        for (let k = 0; k < nw; k++) {
          const wnx = wn[k * 2], wny = wn[k * 2 + 1];
          if (nx * wnx + ny * wny > 0.7) continue; // the wall itself, or parallel to it
          const qx = px - wa[k * 2], qy = py - wa[k * 2 + 1];
          const dist = qx * wnx + qy * wny;
          if (dist > aoR || dist < -0.05) continue;
          const along = qx * wd[k * 3] + qy * wd[k * 3 + 1];
          if (along < -0.02 || along > wd[k * 3 + 2] + 0.02) continue;
          const a = 1 - Math.max(0, dist) / aoR;
          ao *= 1 - 0.45 * a * a;
        }
        if (nz < 0.7 && pz < aoR) { const a = 1 - pz / aoR; ao *= 1 - 0.4 * a * a; }
        if (nz > -0.7 && roomH - pz < aoR) { const a = 1 - (roomH - pz) / aoR; ao *= 1 - 0.3 * a * a; }
        if (pz < 0.03 && nz > 0.5) {
          const gx = px / fo.cell, gy = py / fo.cell;
          const ix = Math.min(fo.nx - 2, Math.max(0, Math.floor(gx))), iy = Math.min(fo.ny - 2, Math.max(0, Math.floor(gy)));
          const fx2 = Math.min(1, Math.max(0, gx - ix)), fy2 = Math.min(1, Math.max(0, gy - iy));
          const g = fo.data, j = iy * fo.nx + ix;
          const top = g[j] + (g[j + 1] - g[j]) * fx2, bot = g[j + fo.nx] + (g[j + fo.nx + 1] - g[j + fo.nx]) * fx2;
          ao *= top + (bot - top) * fy2;
        }

        // Lambert from the point lights with soft distance falloff, plus the window's sunlight.
        let lr = ar * ao, lg = ag * ao, lb = ab * ao;
        let spec = 0;
        const ks = mt.specular[m];
        for (let k = 0; k < nl; k++) {
          const lx = lp[k * 3] - px, ly = lp[k * 3 + 1] - py, lz = lp[k * 3 + 2] - pz;
          const d2 = lx * lx + ly * ly + lz * lz;
          const inv = 1 / Math.sqrt(d2);
          const ndl = (nx * lx + ny * ly + nz * lz) * inv;
          if (ndl <= 0) continue;
          const fall = ndl / (0.4 + 0.35 * d2) * (0.5 + 0.5 * ao);
          lr += lc[k * 3] * fall; lg += lc[k * 3 + 1] * fall; lb += lc[k * 3 + 2] * fall;
          if (ks > 0 && k === 0) {
            // Blinn-Phong highlight of the main light.
            const vx = ex - px, vy = ey - py, vz = ez - pz;
            const vi = 1 / Math.sqrt(vx * vx + vy * vy + vz * vz);
            let hx = lx * inv + vx * vi, hy = ly * inv + vy * vi, hz = lz * inv + vz * vi;
            const hi = 1 / Math.sqrt(hx * hx + hy * hy + hz * hz);
            hx *= hi; hy *= hi; hz *= hi;
            let s = Math.max(0, nx * hx + ny * hy + nz * hz);
            s *= s; s *= s; s *= s; s *= s; s *= s;
            spec = ks * s * 1.5;
          }
        }
        const sdl = -(nx * sdx + ny * sdy + nz * sdz);
        if (sdl > 0) { const k = sdl * (0.6 + 0.4 * ao); lr += sr * k; lg += sg * k; lb += sb * k; }
        const em = mt.emissive[m];
        const cr = alb[0] * (lr + em) + spec, cg = alb[1] * (lg + em) + spec, cb = alb[2] * (lb + em) + spec;
        rgb[i * 3] = TONE[Math.min(TONE_SIZE, Math.max(0, (cr * toneScale) | 0))];
        rgb[i * 3 + 1] = TONE[Math.min(TONE_SIZE, Math.max(0, (cg * toneScale) | 0))];
        rgb[i * 3 + 2] = TONE[Math.min(TONE_SIZE, Math.max(0, (cb * toneScale) | 0))];
        depth[i] = z;
        labels40[i] = mt.label[m];
        objects[i] = objs[t];
        // Normal in the camera frame: R^T n.
        normals[i * 3] = r00 * nx + r10 * ny + r20 * nz;
        normals[i * 3 + 1] = r01 * nx + r11 * ny + r21 * nz;
        normals[i * 3 + 2] = r02 * nx + r12 * ny + r22 * nz;
      }
    }
  }
}

/** One-off render (allocates a Renderer; use a Renderer directly for sequences). */
export function renderView(room: Room, T_world_camera: Mat4, intrinsics: Intrinsics, options: Partial<RenderOptions> = {}): RenderResult {
  return new Renderer(intrinsics.width, intrinsics.height).render(room, T_world_camera, intrinsics, options);
}
