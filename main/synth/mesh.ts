/**
 * Triangle soup of a synthetic room. Every triangle carries its own flat normal, texture frame
 * (origin + two in-plane axes, metres) and material, so the renderer never interpolates vertex
 * attributes: it recovers the exact surface point from depth and derives everything from it.
 */

/** How the renderer gets a pixel's normal and texture coordinates. */
export const ShadingMode = {
  /** Flat face: normal = triangle normal, uv = projections on the face axes. */
  Flat: 0,
  /** Smooth cylinder side: normal radial from the axis (frame: origin on axis, U reference, V axis). */
  Cylinder: 1,
} as const;
export type ShadingMode = (typeof ShadingMode)[keyof typeof ShadingMode];

/** A placement in the room: rotation about world z (radians) then translation. */
export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly yaw: number;
}

export type Vec3 = [number, number, number];

/** The finished mesh, as typed arrays (ready for the rasteriser). */
export interface Mesh {
  readonly triangleCount: number;
  /** World positions, 9 per triangle (vertices are not shared). */
  readonly positions: Float64Array;
  /** World unit normal, 3 per triangle (points out of the surface, towards where it is seen from). */
  readonly normals: Float64Array;
  /** Texture frame, 9 per triangle: origin, U axis, V axis (unit vectors). */
  readonly frames: Float64Array;
  readonly modes: Uint8Array;
  /** Index into Room.materials. */
  readonly materials: Uint16Array;
  /** Index into Room.objects (which placed thing it belongs to). */
  readonly objects: Uint16Array;
}

function sub(a: Vec3, b: Vec3): Vec3 { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function norm(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}
function len(a: Vec3): number { return Math.hypot(a[0], a[1], a[2]); }

export function transformPoint(p: Placement, x: number, y: number, z: number): Vec3 {
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  return [p.x + c * x - s * y, p.y + s * x + c * y, p.z + z];
}

export function rotateDirection(p: Placement, x: number, y: number, z: number): Vec3 {
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  return [c * x - s * y, s * x + c * y, z];
}

/** Box faces as corner indices (bit 0 = x max, bit 1 = y max, bit 2 = z max), counter-clockwise from outside
 * (cross(p1 - p0, p3 - p0) points out). */
const BOX_FACES: readonly (readonly [number, number, number, number])[] = [
  [0, 4, 6, 2], // -x
  [1, 3, 7, 5], // +x
  [0, 1, 5, 4], // -y
  [2, 6, 7, 3], // +y
  [0, 2, 3, 1], // -z
  [4, 5, 7, 6], // +z
];

export class MeshBuilder {
  private readonly pos: number[] = [];
  private readonly nrm: number[] = [];
  private readonly frm: number[] = [];
  private readonly mode: number[] = [];
  private readonly mat: number[] = [];
  private readonly obj: number[] = [];
  /** Object index stamped on the triangles added next. */
  object = 0;

  get triangleCount(): number { return this.mode.length; }

  private pushTriangle(a: Vec3, b: Vec3, c: Vec3, n: Vec3, o: Vec3, u: Vec3, v: Vec3, mode: ShadingMode, material: number): void {
    this.pos.push(a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]);
    this.nrm.push(n[0], n[1], n[2]);
    this.frm.push(o[0], o[1], o[2], u[0], u[1], u[2], v[0], v[1], v[2]);
    this.mode.push(mode);
    this.mat.push(material);
    this.obj.push(this.object);
  }

  /**
   * A planar quad p0..p3, counter-clockwise seen from its front (the side its normal points to).
   * Texture U runs along p0→p1, V along p0→p3; the longer edge becomes U so grain follows the long side.
   */
  addQuad(p0: Vec3, p1: Vec3, p2: Vec3, p3: Vec3, material: number, texture?: { origin: Vec3; u: Vec3 }): void {
    if (len(sub(p1, p0)) < len(sub(p3, p0))) [p0, p1, p2, p3] = [p1, p2, p3, p0];
    const n = norm(cross(sub(p1, p0), sub(p3, p0)));
    // An explicit texture frame keeps patterns continuous across quads (floors made of two rectangles).
    const o = texture ? texture.origin : p0;
    const u = texture ? texture.u : norm(sub(p1, p0));
    const v = cross(n, u);
    this.pushTriangle(p0, p1, p2, n, o, u, v, ShadingMode.Flat, material);
    this.pushTriangle(p0, p2, p3, n, o, u, v, ShadingMode.Flat, material);
  }

  /** Axis-aligned box in the placement's local frame (metres), all six faces facing out. */
  addBox(p: Placement, x0: number, y0: number, z0: number, x1: number, y1: number, z1: number, material: number, skipBottom = false, frontMaterial = material): void {
    const corners: Vec3[] = [];
    for (let i = 0; i < 8; i++) {
      corners.push(transformPoint(p, i & 1 ? x1 : x0, i & 2 ? y1 : y0, i & 4 ? z1 : z0));
    }
    for (let f = 0; f < 6; f++) {
      // Bottoms resting on the floor are never seen (callers may drop them); raised ones are seen from below.
      if (f === 4 && skipBottom) continue;
      const q = BOX_FACES[f];
      // Face 3 (+y local) is the front: screens, pictures and mirrors put their image there.
      this.addQuad(corners[q[0]], corners[q[1]], corners[q[2]], corners[q[3]], f === 3 ? frontMaterial : material);
    }
  }

  /** Box given by centre and size in local coordinates. */
  addBoxCentered(p: Placement, cx: number, cy: number, z0: number, sx: number, sy: number, height: number, material: number, skipBottom = false): void {
    this.addBox(p, cx - sx / 2, cy - sy / 2, z0, cx + sx / 2, cy + sy / 2, z0 + height, material, skipBottom);
  }

  /**
   * Vertical (frustum of a) cylinder around local (cx, cy), smooth-shaded sides, flat caps.
   * r0 at z0 and r1 at z1 (a cone when they differ; its normals are still radial, close enough).
   */
  addCylinder(p: Placement, cx: number, cy: number, z0: number, z1: number, r0: number, r1: number, segments: number, material: number, caps: { top: boolean; bottom: boolean } = { top: true, bottom: false }, capMaterial = material): void {
    const axisO = transformPoint(p, cx, cy, z0);
    const axisV: Vec3 = [0, 0, 1];
    const ref = rotateDirection(p, 1, 0, 0);
    const ring = (r: number, z: number, k: number): Vec3 => {
      const a = (2 * Math.PI * k) / segments;
      return transformPoint(p, cx + r * Math.cos(a), cy + r * Math.sin(a), z);
    };
    for (let k = 0; k < segments; k++) {
      const a0 = ring(r0, z0, k), a1 = ring(r0, z0, k + 1), b0 = ring(r1, z1, k), b1 = ring(r1, z1, k + 1);
      const mid = norm(sub(ring(1, 0, k + 0.5), transformPoint(p, cx, cy, 0)));
      this.pushTriangle(a0, a1, b1, mid, axisO, ref, axisV, ShadingMode.Cylinder, material);
      this.pushTriangle(a0, b1, b0, mid, axisO, ref, axisV, ShadingMode.Cylinder, material);
    }
    const cap = (r: number, z: number, up: boolean) => {
      const c = transformPoint(p, cx, cy, z);
      const n: Vec3 = up ? [0, 0, 1] : [0, 0, -1];
      const u: Vec3 = ref;
      const v = cross(n, u);
      for (let k = 0; k < segments; k++) {
        const a = ring(r, z, k), b = ring(r, z, k + 1);
        this.pushTriangle(c, a, b, n, c, u, v, ShadingMode.Flat, capMaterial);
      }
    };
    if (caps.top) cap(r1, z1, true);
    if (caps.bottom) cap(r0, z0, false);
  }

  /** Drops every triangle added after the first `count` (undoing a rejected placement). */
  truncate(count: number): void {
    this.pos.length = count * 9;
    this.nrm.length = count * 3;
    this.frm.length = count * 9;
    this.mode.length = count;
    this.mat.length = count;
    this.obj.length = count;
  }

  /** World AABB of triangles [from, end): [minX, minY, minZ, maxX, maxY, maxZ]. */
  boundsSince(from: number): [number, number, number, number, number, number] {
    const b: [number, number, number, number, number, number] = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
    for (let i = from * 9; i < this.pos.length; i += 3) {
      for (let c = 0; c < 3; c++) {
        const v = this.pos[i + c];
        if (v < b[c]) b[c] = v;
        if (v > b[c + 3]) b[c + 3] = v;
      }
    }
    return b;
  }

  build(): Mesh {
    return {
      triangleCount: this.mode.length,
      positions: Float64Array.from(this.pos),
      normals: Float64Array.from(this.nrm),
      frames: Float64Array.from(this.frm),
      modes: Uint8Array.from(this.mode),
      materials: Uint16Array.from(this.mat),
      objects: Uint16Array.from(this.obj),
    };
  }
}
