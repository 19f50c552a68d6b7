/**
 * Surfels as oriented, lit splats: one instanced quad per surfel, spanned by two tangents of its normal
 * and scaled by its radius, cut to a disc in the fragment shader and shaded by a headlight.
 * GPU buffers mirror SurfelStore's typed arrays and are updated in place (subdata) over the dirty slot range.
 */
import type { Buffer, DrawCommand, Regl } from 'regl';
import { PALETTE13 } from '../../fusion/classes.js';
import type { FrameContext, Layer } from './layer.js';
import { dynamicUniforms } from './layer.js';
import type { SurfelStore } from './surfelStore.js';
import { CLASS_SLOTS } from './surfelStore.js';
import { adaptBudget, lightStride, lodInstances, MAX_LOD_STRIDE } from './lod.js';

export type ColorMode = 'semantic' | 'rgb' | 'confidence' | 'normal' | 'height';
export const COLOR_MODES: readonly ColorMode[] = ['semantic', 'rgb', 'confidence', 'normal', 'height'];

export interface SurfelLayerSettings {
  colorMode: ColorMode;
  /** Multiplies every surfel's radius. */
  pointScale: number;
  /** Per class id 0..13: drawn or not. */
  classVisible: boolean[];
  /** Hide surfels below this confidence (0..1 of the packet's quantised scale). */
  minConfidence: number;
  /** Height colour range along world −y (OpenCV world: y points down), metres. */
  heightRange: [number, number];
  /**
   * Most surfels drawn while the view moves (a strided subsample beyond it); 0 = always all. Within it the
   * budget adapts to the measured frame time (see adaptBudget), so a slow GPU still moves smoothly.
   */
  movingBudget: number;
}

export const DEFAULT_SURFEL_LAYER_SETTINGS: SurfelLayerSettings = {
  colorMode: 'semantic',
  pointScale: 1,
  classVisible: new Array<boolean>(CLASS_SLOTS).fill(true),
  minConfidence: 0,
  heightRange: [-1.5, 1.5],
  movingBudget: 1_000_000,
};

/**
 * Splats are instanced quads (oriented discs). Points are one vertex per surfel, a screen-aligned disc sized by
 * the surfel's projected radius: less faithful at grazing angles, but software rasterisers (SwiftShader) pay a
 * large fixed cost per instance, so the light level of detail used while moving draws points.
 */
function vertexShader(points: boolean): string {
  return `
precision highp float;
${points ? '' : 'attribute vec2 corner;'}
attribute vec4 geom;     // position xyz, radius
attribute vec4 normalc;  // normal xyz, confidence (7 bits)
attribute vec4 colorl;   // rgb, label / 255
uniform mat4 projection, view;
uniform vec3 eye;
uniform float pointScale, minConfidence, colorMode, heightMin, heightMax, viewportHeight;
uniform vec3 palette[${CLASS_SLOTS}];
uniform float visible[${CLASS_SLOTS}];
varying vec3 vColor;
varying vec2 vCorner;
vec3 ramp(float t) {
  t = clamp(t, 0.0, 1.0);
  return clamp(vec3(1.5 - abs(4.0 * t - 3.0), 1.5 - abs(4.0 * t - 2.0), 1.5 - abs(4.0 * t - 1.0)), 0.0, 1.0);
}
void main() {
  vec3 position = geom.xyz;
  float radius = geom.w;
  float confidence = normalc.w;
  int l = int(colorl.a * 255.0 + 0.5);
  if (visible[l] < 0.5 || confidence < minConfidence) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    return;
  }
  vec3 n = normalize(normalc.xyz + vec3(0.0, 0.0, 1e-4));
${points ? `  gl_Position = projection * view * vec4(position, 1.0);
  // Diameter in pixels: projection[1][1] is the focal length over half the viewport height.
  gl_PointSize = clamp(radius * pointScale * projection[1][1] * viewportHeight / gl_Position.w, 1.0, 64.0);
  vCorner = vec2(0.0);` : `  vec3 t1 = normalize(cross(n, abs(n.y) < 0.9 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0)));
  vec3 t2 = cross(n, t1);
  vec3 world = position + (corner.x * t1 + corner.y * t2) * radius * pointScale;
  gl_Position = projection * view * vec4(world, 1.0);
  vCorner = corner;`}
  vec3 c;
  if (colorMode < 0.5) c = l == 0 ? vec3(0.55) : palette[l];
  else if (colorMode < 1.5) c = colorl.rgb;
  else if (colorMode < 2.5) c = ramp(confidence);
  else if (colorMode < 3.5) c = n * 0.5 + 0.5;
  else c = ramp((-position.y - heightMin) / (heightMax - heightMin));
  float shade = 0.35 + 0.65 * abs(dot(n, normalize(eye - position)));
  vColor = c * (colorMode > 2.5 && colorMode < 3.5 ? 1.0 : shade);
}`;
}

function fragmentShader(points: boolean): string {
  return `
precision mediump float;
varying vec3 vColor;
varying vec2 vCorner;
void main() {
  vec2 d = ${points ? 'gl_PointCoord * 2.0 - 1.0' : 'vCorner'};
  if (dot(d, d) > 1.0) discard;
  gl_FragColor = vec4(vColor, 1.0);
}`;
}

const UNIFORM_NAMES = [
  'projection', 'view', 'eye', 'pointScale', 'minConfidence', 'colorMode', 'heightMin', 'heightMax', 'viewportHeight',
  ...Array.from({ length: CLASS_SLOTS }, (_, k) => `palette[${k}]`),
  ...Array.from({ length: CLASS_SLOTS }, (_, k) => `visible[${k}]`),
];

const COLOR_MODE_INDEX: Record<ColorMode, number> = { semantic: 0, rgb: 1, confidence: 2, normal: 3, height: 4 };

/*
 * GPU layout: two buffers of 4-component attributes (16 bytes of float geometry, 8 bytes of normal, confidence,
 * colour and label per surfel). Formats with 1 or 3 byte components are not native vertex formats for Vulkan and
 * Direct3D: ANGLE converts such buffers on the CPU, again after every update. Packed here from the store's arrays.
 */
interface Buffers {
  geom: Buffer;
  attr: Buffer;
}
const GEOM_FLOATS = 4;
const ATTR_BYTES = 8;
/** Slots uploaded per frame at most (24 bytes each: ~0.8 MB). */
export const UPLOAD_SLOTS_PER_FRAME = 32_768;

export class SurfelLayer implements Layer<SurfelLayerSettings> {
  readonly name = 'surfels';
  settings: SurfelLayerSettings = { ...DEFAULT_SURFEL_LAYER_SETTINGS, classVisible: [...DEFAULT_SURFEL_LAYER_SETTINGS.classVisible] };
  private readonly corners: Buffer;
  private buffers: Buffers;
  /**
   * The light level of detail beyond MAX_LOD_STRIDE: every k-th surfel copied into small buffers of its own (WebGL
   * caps attribute strides, so a stride over the whole buffers cannot skip more), rebuilt for each light image.
   */
  private coarse: Buffers | null = null;
  private coarseGeom = new Float32Array(0);
  private coarseAttr = new Uint8Array(0);
  private coarseCount = 0;
  private useCoarse = false;
  /** CPU copies in the GPU layout (capacity of the store). */
  private geom = new Float32Array(0);
  private attr = new Uint8Array(0);
  private attrSigned = new Int8Array(0);
  private readonly splats: DrawCommand;
  private readonly points: DrawCommand;
  private readonly uniforms: Record<string, unknown> = {};
  /** Draw every stride-th surfel (level of detail while moving). */
  private stride = 1;
  /** First slot drawn (a slice of the progressive full-detail pass). */
  private first = 0;
  /** Splats drawn by the next full-detail draw. */
  private instances = 0;
  /** The moving budget as adapted to the measured frame time (≤ settings.movingBudget). */
  private adaptedBudget = DEFAULT_SURFEL_LAYER_SETTINGS.movingBudget;

  constructor(private readonly regl: Regl, private readonly store: SurfelStore) {
    this.corners = regl.buffer(new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]));
    this.buffers = this.createBuffers();
    const b = (): Buffers => (this.useCoarse ? this.coarse! : this.buffers);
    const uniforms = dynamicUniforms(this.uniforms, UNIFORM_NAMES) as never;
    // The same per-surfel attributes for both: per instance (splats) or per vertex (points), every stride-th surfel.
    const surfelAttributes = (divisor: 0 | 1) => ({
      geom: () => ({ buffer: b().geom, divisor, size: 4, offset: 4 * GEOM_FLOATS * this.first, stride: 4 * GEOM_FLOATS * this.stride }),
      normalc: () => ({ buffer: b().attr, divisor, normalized: true, type: 'int8', size: 4, offset: ATTR_BYTES * this.first, stride: ATTR_BYTES * this.stride }),
      colorl: () => ({ buffer: b().attr, divisor, normalized: true, type: 'uint8', size: 4, offset: 4 + ATTR_BYTES * this.first, stride: ATTR_BYTES * this.stride }),
    });
    this.splats = regl({
      vert: vertexShader(false),
      frag: fragmentShader(false),
      primitive: 'triangle strip',
      count: 4,
      instances: () => this.instances,
      attributes: {
        corner: { buffer: this.corners, divisor: 0 },
        ...surfelAttributes(1),
      },
      uniforms,
    });
    this.points = regl({
      vert: vertexShader(true),
      frag: fragmentShader(true),
      primitive: 'points',
      count: () => (this.useCoarse ? this.coarseCount : lodInstances(this.store.count, this.stride)),
      attributes: surfelAttributes(0),
      uniforms,
    });
    this.updateUniforms();
  }

  /** Surfels the moving level of detail draws at the current budget (for the benchmark). */
  get movingDrawn(): number {
    return lodInstances(this.store.count, lightStride(this.store.count, this.effectiveBudget()));
  }

  /** Feeds the time of a moving frame (ms) to the adaptive budget. */
  observeMovingFrame(ms: number): void {
    const max = this.settings.movingBudget;
    if (max <= 0) return;
    this.adaptedBudget = adaptBudget(Math.min(this.adaptedBudget, max), ms, max);
  }

  private effectiveBudget(): number {
    const max = this.settings.movingBudget;
    return max <= 0 ? 0 : Math.min(max, this.adaptedBudget);
  }

  setSettings(patch: Partial<SurfelLayerSettings>): void {
    if (patch.movingBudget !== undefined) this.adaptedBudget = patch.movingBudget;
    this.settings = { ...this.settings, ...patch };
    this.updateUniforms();
  }

  /**
   * Uploads what changed in the store, at most UPLOAD_SLOTS_PER_FRAME slots a call (the rest on the next frames):
   * a whole 640×480 map re-sent at once would hold the page while the GPU process copies it.
   */
  sync(maxSlots = UPLOAD_SLOTS_PER_FRAME): void {
    const dirty = this.store.takeDirty(maxSlots);
    if (!dirty) return;
    if (dirty.grew) {
      this.destroyBuffers();
      this.buffers = this.createBuffers();
    }
    const r = dirty.ranges;
    for (let k = 0; k < r.length; k += 2) {
      const from = r[k], to = r[k + 1];
      this.pack(from, to);
      this.buffers.geom.subdata(this.geom.subarray(GEOM_FLOATS * from, GEOM_FLOATS * to), 4 * GEOM_FLOATS * from);
      this.buffers.attr.subdata(this.attr.subarray(ATTR_BYTES * from, ATTR_BYTES * to), ATTR_BYTES * from);
    }
  }

  /** Copies store slots [from, to) into the GPU layout. */
  private pack(from: number, to: number): void {
    const s = this.store;
    const g = this.geom, a = this.attr, sa = this.attrSigned;
    for (let i = from; i < to; i++) {
      const gi = GEOM_FLOATS * i, ai = ATTR_BYTES * i;
      g[gi] = s.positions[3 * i]; g[gi + 1] = s.positions[3 * i + 1]; g[gi + 2] = s.positions[3 * i + 2]; g[gi + 3] = s.radii[i];
      sa[ai] = s.normals[3 * i]; sa[ai + 1] = s.normals[3 * i + 1]; sa[ai + 2] = s.normals[3 * i + 2];
      sa[ai + 3] = s.confidence[i] >> 1;
      a[ai + 4] = s.colors[3 * i]; a[ai + 5] = s.colors[3 * i + 1]; a[ai + 6] = s.colors[3 * i + 2]; a[ai + 7] = s.labels[i];
    }
  }

  draw(frame: FrameContext): void {
    this.drawSlots(frame, 0, this.store.count);
  }

  /** Full detail, the splats in slots [from, to) (the whole map, or a slice of the progressive pass). */
  drawSlots(frame: FrameContext, from: number, to: number): void {
    this.sync();
    to = Math.min(to, this.store.count);
    if (to <= from) return;
    this.setFrame(frame, 1);
    this.first = from;
    this.instances = to - from;
    this.splats();
  }

  /** The light level of detail (points, strided to the adapted budget); returns the surfels drawn. */
  drawLight(frame: FrameContext, budgetCap = Infinity): number {
    this.sync();
    if (this.store.count === 0) return 0;
    const budget = Math.max(1, Math.min(this.effectiveBudget() || Infinity, budgetCap));
    const k = lightStride(this.store.count, Number.isFinite(budget) ? budget : 0);
    this.first = 0;
    if (k <= MAX_LOD_STRIDE) {
      this.setFrame(frame, k);
      this.points();
      return lodInstances(this.store.count, k);
    }
    this.buildCoarse(k);
    this.setFrame(frame, 1);
    this.uniforms.pointScale = this.settings.pointScale * Math.sqrt(k);
    this.useCoarse = true;
    try {
      this.points();
    } finally {
      this.useCoarse = false;
    }
    return this.coarseCount;
  }

  /** Every k-th surfel of the GPU-layout copies into the coarse buffers. */
  private buildCoarse(k: number): void {
    const n = lodInstances(this.store.count, k);
    if (this.coarseGeom.length < GEOM_FLOATS * n) {
      const cap = Math.max(1024, 2 * n);
      this.coarseGeom = new Float32Array(GEOM_FLOATS * cap);
      this.coarseAttr = new Uint8Array(ATTR_BYTES * cap);
      if (this.coarse) for (const buf of Object.values(this.coarse)) buf.destroy();
      this.coarse = {
        geom: this.regl.buffer({ length: this.coarseGeom.byteLength, usage: 'stream', type: 'float' }),
        attr: this.regl.buffer({ length: this.coarseAttr.byteLength, usage: 'stream', type: 'uint8' }),
      };
    }
    const g = this.geom, a = this.attr, cg = this.coarseGeom, ca = this.coarseAttr;
    for (let j = 0; j < n; j++) {
      const s = j * k;
      cg.set(g.subarray(GEOM_FLOATS * s, GEOM_FLOATS * s + GEOM_FLOATS), GEOM_FLOATS * j);
      ca.set(a.subarray(ATTR_BYTES * s, ATTR_BYTES * s + ATTR_BYTES), ATTR_BYTES * j);
    }
    this.coarse!.geom.subdata(cg.subarray(0, GEOM_FLOATS * n), 0);
    this.coarse!.attr.subdata(ca.subarray(0, ATTR_BYTES * n), 0);
    this.coarseCount = n;
  }

  private setFrame(frame: FrameContext, stride: number): void {
    this.uniforms.projection = frame.projection;
    this.uniforms.view = frame.view;
    this.uniforms.eye = frame.eye;
    this.stride = stride;
    this.uniforms.pointScale = this.settings.pointScale * Math.sqrt(stride);
    this.uniforms.viewportHeight = frame.viewportHeight;
  }

  dispose(): void {
    this.destroyBuffers();
    if (this.coarse) for (const buf of Object.values(this.coarse)) buf.destroy();
    this.corners.destroy();
  }

  private updateUniforms(): void {
    const u = this.uniforms;
    const s = this.settings;
    u.minConfidence = s.minConfidence;
    u.colorMode = COLOR_MODE_INDEX[s.colorMode];
    u.heightMin = s.heightRange[0];
    u.heightMax = s.heightRange[1];
    for (let k = 0; k < CLASS_SLOTS; k++) {
      u[`palette[${k}]`] = [PALETTE13[3 * k] / 255, PALETTE13[3 * k + 1] / 255, PALETTE13[3 * k + 2] / 255];
      u[`visible[${k}]`] = s.classVisible[k] ? 1 : 0;
    }
  }

  private createBuffers(): Buffers {
    const s = this.store;
    const r = this.regl;
    // Whole-capacity buffers so in-place updates never need a resize until the store grows.
    this.geom = new Float32Array(GEOM_FLOATS * s.capacity);
    this.attr = new Uint8Array(ATTR_BYTES * s.capacity);
    this.attrSigned = new Int8Array(this.attr.buffer);
    // Empty: the store reports every slot as changed after it grew, and sync() uploads them a share per frame.
    return {
      geom: r.buffer({ length: this.geom.byteLength, usage: 'dynamic', type: 'float' }),
      attr: r.buffer({ length: this.attr.byteLength, usage: 'dynamic', type: 'uint8' }),
    };
  }

  private destroyBuffers(): void {
    for (const buf of Object.values(this.buffers)) buf.destroy();
  }
}
