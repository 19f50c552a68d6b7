/** The current camera as a wire frustum: centre to the four image corners at `depth` metres. */
import type { Buffer, DrawCommand, Regl } from 'regl';
import type { Intrinsics } from '../../fusion/camera.js';
import type { FrameContext, Layer } from './layer.js';
import { dynamicUniforms } from './layer.js';

export interface FrustumLayerSettings {
  visible: boolean;
  /** Distance of the drawn image plane, metres. */
  depth: number;
  color: [number, number, number];
}

export const DEFAULT_FRUSTUM_LAYER_SETTINGS: FrustumLayerSettings = { visible: true, depth: 0.25, color: [1, 0.3, 0.2] };

const UNIFORM_NAMES = ['projection', 'view', 'color'];

const VERT = `
precision highp float;
attribute vec3 position;
uniform mat4 projection, view;
void main() { gl_Position = projection * view * vec4(position, 1.0); }`;
const FRAG = `
precision mediump float;
uniform vec3 color;
void main() { gl_FragColor = vec4(color, 1.0); }`;

/**
 * Frustum line segments in world coordinates for a camera T_world_camera (column-major, OpenCV frame).
 * 8 segments (4 from the centre, 4 around the image plane) → 16 vertices × 3 into `out`.
 */
export function frustumSegments(T_world_camera: ArrayLike<number>, k: Intrinsics, depth: number, out: Float32Array): Float32Array {
  const m = T_world_camera;
  const corners = [
    [0, 0],
    [k.width - 1, 0],
    [k.width - 1, k.height - 1],
    [0, k.height - 1],
  ];
  const world = corners.map(([u, v]) => {
    const x = ((u - k.cx) / k.fx) * depth;
    const y = ((v - k.cy) / k.fy) * depth;
    const z = depth;
    return [m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]];
  });
  const c = [m[12], m[13], m[14]];
  let o = 0;
  const put = (p: number[]): void => {
    out[o++] = p[0];
    out[o++] = p[1];
    out[o++] = p[2];
  };
  for (let i = 0; i < 4; i++) {
    put(c);
    put(world[i]);
  }
  for (let i = 0; i < 4; i++) {
    put(world[i]);
    put(world[(i + 1) % 4]);
  }
  return out;
}

export class FrustumLayer implements Layer<FrustumLayerSettings> {
  readonly name = 'frustum';
  settings: FrustumLayerSettings = { ...DEFAULT_FRUSTUM_LAYER_SETTINGS };
  private readonly vertices = new Float32Array(48);
  private readonly buffer: Buffer;
  private readonly command: DrawCommand;
  private readonly uniforms: Record<string, unknown> = {};
  private pose: { T_world_camera: number[]; intrinsics: Intrinsics } | null = null;
  private dirty = false;

  constructor(regl: Regl) {
    this.buffer = regl.buffer({ data: this.vertices, usage: 'dynamic' });
    this.command = regl({ vert: VERT, frag: FRAG, primitive: 'lines', count: 16, attributes: { position: this.buffer }, uniforms: dynamicUniforms(this.uniforms, UNIFORM_NAMES) as never });
  }

  update(T_world_camera: number[], intrinsics: Intrinsics): void {
    this.pose = { T_world_camera, intrinsics };
    this.dirty = true;
  }

  setSettings(patch: Partial<FrustumLayerSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.dirty = true;
  }

  draw(frame: FrameContext): void {
    if (!this.settings.visible || !this.pose) return;
    if (this.dirty) {
      frustumSegments(this.pose.T_world_camera, this.pose.intrinsics, this.settings.depth, this.vertices);
      this.buffer.subdata(this.vertices);
      this.dirty = false;
    }
    this.uniforms.projection = frame.projection;
    this.uniforms.view = frame.view;
    this.uniforms.color = this.settings.color;
    this.command();
  }

  dispose(): void {
    this.buffer.destroy();
  }
}
