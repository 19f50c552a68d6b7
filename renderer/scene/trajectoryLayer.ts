/** The camera path as a line strip of camera centres (world coordinates). */
import type { Buffer, DrawCommand, Regl } from 'regl';
import type { FrameContext, Layer } from './layer.js';
import { dynamicUniforms } from './layer.js';

export interface TrajectoryLayerSettings {
  visible: boolean;
  /** RGB 0..1. */
  color: [number, number, number];
}

export const DEFAULT_TRAJECTORY_LAYER_SETTINGS: TrajectoryLayerSettings = { visible: true, color: [1, 0.85, 0.1] };

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

export class TrajectoryLayer implements Layer<TrajectoryLayerSettings> {
  readonly name = 'trajectory';
  settings: TrajectoryLayerSettings = { ...DEFAULT_TRAJECTORY_LAYER_SETTINGS };
  private positions = new Float32Array(3 * 1024);
  private count = 0;
  private buffer: Buffer;
  private uploaded = -1;
  private readonly command: DrawCommand;
  private readonly uniforms: Record<string, unknown> = {};

  constructor(private readonly regl: Regl) {
    this.buffer = regl.buffer({ data: this.positions, usage: 'dynamic' });
    this.command = regl({
      vert: VERT,
      frag: FRAG,
      primitive: 'line strip',
      attributes: { position: () => this.buffer },
      count: () => this.count,
      uniforms: dynamicUniforms(this.uniforms, UNIFORM_NAMES) as never,
    });
  }

  /** Replaces camera centres from index `from` on (the contract's trajectory event). */
  update(from: number, xyz: readonly number[]): void {
    const n = from + xyz.length / 3;
    if (3 * n > this.positions.length) {
      const bigger = new Float32Array(Math.max(3 * n, 2 * this.positions.length));
      bigger.set(this.positions.subarray(0, 3 * Math.min(this.count, from)));
      this.positions = bigger;
      this.buffer.destroy();
      this.buffer = this.regl.buffer({ data: this.positions, usage: 'dynamic' });
      this.uploaded = -1;
    }
    this.positions.set(xyz, 3 * from);
    this.count = n;
    this.uploaded = Math.min(this.uploaded, from - 1);
  }

  get length(): number {
    return this.count;
  }

  setSettings(patch: Partial<TrajectoryLayerSettings>): void {
    this.settings = { ...this.settings, ...patch };
  }

  draw(frame: FrameContext): void {
    if (!this.settings.visible || this.count < 2) return;
    if (this.uploaded < this.count - 1) {
      const from = Math.max(0, this.uploaded + 1);
      this.buffer.subdata(this.positions.subarray(3 * from, 3 * this.count), 12 * from);
      this.uploaded = this.count - 1;
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
