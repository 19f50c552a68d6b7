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
}

export const DEFAULT_SURFEL_LAYER_SETTINGS: SurfelLayerSettings = {
  colorMode: 'semantic',
  pointScale: 1,
  classVisible: new Array<boolean>(CLASS_SLOTS).fill(true),
  minConfidence: 0,
  heightRange: [-1.5, 1.5],
};

const VERT = `
precision highp float;
attribute vec2 corner;
attribute vec3 position;
attribute vec3 normal;
attribute float radius;
attribute vec3 color;
attribute float label;
attribute float confidence;
uniform mat4 projection, view;
uniform vec3 eye;
uniform float pointScale, minConfidence, colorMode, heightMin, heightMax;
uniform vec3 palette[${CLASS_SLOTS}];
uniform float visible[${CLASS_SLOTS}];
varying vec3 vColor;
varying vec2 vCorner;
vec3 ramp(float t) {
  t = clamp(t, 0.0, 1.0);
  return clamp(vec3(1.5 - abs(4.0 * t - 3.0), 1.5 - abs(4.0 * t - 2.0), 1.5 - abs(4.0 * t - 1.0)), 0.0, 1.0);
}
void main() {
  int l = int(label + 0.5);
  if (visible[l] < 0.5 || confidence < minConfidence) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    return;
  }
  vec3 n = normalize(normal + vec3(0.0, 0.0, 1e-4));
  vec3 t1 = normalize(cross(n, abs(n.y) < 0.9 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0)));
  vec3 t2 = cross(n, t1);
  vec3 world = position + (corner.x * t1 + corner.y * t2) * radius * pointScale;
  gl_Position = projection * view * vec4(world, 1.0);
  vCorner = corner;
  vec3 c;
  if (colorMode < 0.5) c = l == 0 ? vec3(0.55) : palette[l];
  else if (colorMode < 1.5) c = color;
  else if (colorMode < 2.5) c = ramp(confidence);
  else if (colorMode < 3.5) c = n * 0.5 + 0.5;
  else c = ramp((-position.y - heightMin) / (heightMax - heightMin));
  float shade = 0.35 + 0.65 * abs(dot(n, normalize(eye - position)));
  vColor = c * (colorMode > 2.5 && colorMode < 3.5 ? 1.0 : shade);
}`;

const FRAG = `
precision mediump float;
varying vec3 vColor;
varying vec2 vCorner;
void main() {
  if (dot(vCorner, vCorner) > 1.0) discard;
  gl_FragColor = vec4(vColor, 1.0);
}`;

const UNIFORM_NAMES = [
  'projection', 'view', 'eye', 'pointScale', 'minConfidence', 'colorMode', 'heightMin', 'heightMax',
  ...Array.from({ length: CLASS_SLOTS }, (_, k) => `palette[${k}]`),
  ...Array.from({ length: CLASS_SLOTS }, (_, k) => `visible[${k}]`),
];

const COLOR_MODE_INDEX: Record<ColorMode, number> = { semantic: 0, rgb: 1, confidence: 2, normal: 3, height: 4 };

interface Buffers {
  position: Buffer;
  normal: Buffer;
  radius: Buffer;
  color: Buffer;
  label: Buffer;
  confidence: Buffer;
}

export class SurfelLayer implements Layer<SurfelLayerSettings> {
  readonly name = 'surfels';
  settings: SurfelLayerSettings = { ...DEFAULT_SURFEL_LAYER_SETTINGS, classVisible: [...DEFAULT_SURFEL_LAYER_SETTINGS.classVisible] };
  private readonly corners: Buffer;
  private buffers: Buffers;
  private readonly command: DrawCommand;
  private readonly uniforms: Record<string, unknown> = {};

  constructor(private readonly regl: Regl, private readonly store: SurfelStore) {
    this.corners = regl.buffer(new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]));
    this.buffers = this.createBuffers();
    const b = (): Buffers => this.buffers;
    this.command = regl({
      vert: VERT,
      frag: FRAG,
      primitive: 'triangle strip',
      count: 4,
      instances: () => this.store.count,
      attributes: {
        corner: { buffer: this.corners, divisor: 0 },
        position: () => ({ buffer: b().position, divisor: 1 }),
        normal: () => ({ buffer: b().normal, divisor: 1, normalized: true, type: 'int8', size: 3 }),
        radius: () => ({ buffer: b().radius, divisor: 1 }),
        color: () => ({ buffer: b().color, divisor: 1, normalized: true, type: 'uint8', size: 3 }),
        label: () => ({ buffer: b().label, divisor: 1, type: 'uint8', size: 1 }),
        confidence: () => ({ buffer: b().confidence, divisor: 1, normalized: true, type: 'uint8', size: 1 }),
      },
      uniforms: dynamicUniforms(this.uniforms, UNIFORM_NAMES) as never,
    });
    this.updateUniforms();
  }

  setSettings(patch: Partial<SurfelLayerSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.updateUniforms();
  }

  /** Uploads what changed in the store since the last frame. */
  sync(): void {
    const dirty = this.store.takeDirty();
    if (!dirty) return;
    const s = this.store;
    if (dirty.grew) {
      this.destroyBuffers();
      this.buffers = this.createBuffers();
      return;
    }
    const { from, to } = dirty;
    this.buffers.position.subdata(s.positions.subarray(3 * from, 3 * to), 12 * from);
    this.buffers.normal.subdata(s.normals.subarray(3 * from, 3 * to), 3 * from);
    this.buffers.radius.subdata(s.radii.subarray(from, to), 4 * from);
    this.buffers.color.subdata(s.colors.subarray(3 * from, 3 * to), 3 * from);
    this.buffers.label.subdata(s.labels.subarray(from, to), from);
    this.buffers.confidence.subdata(s.confidence.subarray(from, to), from);
  }

  draw(frame: FrameContext): void {
    this.sync();
    if (this.store.count === 0) return;
    this.uniforms.projection = frame.projection;
    this.uniforms.view = frame.view;
    this.uniforms.eye = frame.eye;
    this.command();
  }

  dispose(): void {
    this.destroyBuffers();
    this.corners.destroy();
  }

  private updateUniforms(): void {
    const u = this.uniforms;
    const s = this.settings;
    u.pointScale = s.pointScale;
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
    return {
      position: r.buffer({ data: s.positions, usage: 'dynamic', type: 'float' }),
      normal: r.buffer({ data: s.normals, usage: 'dynamic', type: 'int8' }),
      radius: r.buffer({ data: s.radii, usage: 'dynamic', type: 'float' }),
      color: r.buffer({ data: s.colors, usage: 'dynamic', type: 'uint8' }),
      label: r.buffer({ data: s.labels, usage: 'dynamic', type: 'uint8' }),
      confidence: r.buffer({ data: s.confidence, usage: 'dynamic', type: 'uint8' }),
    };
  }

  private destroyBuffers(): void {
    for (const buf of Object.values(this.buffers)) buf.destroy();
  }
}
