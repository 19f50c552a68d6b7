import type { Regl } from 'regl';
import type { mat4, vec3 } from 'gl-matrix';

/** What every layer gets each frame. Matrices are column-major (gl-matrix). */
export interface FrameContext {
  readonly projection: mat4;
  /** T_view_world: world → OpenGL view (x right, y up, looking down −z). */
  readonly view: mat4;
  /** Eye position in world coordinates. */
  readonly eye: vec3;
  /** The user is navigating: layers may draw a lighter version to keep the frame rate up. */
  readonly moving: boolean;
  /** Drawing buffer height, pixels. */
  readonly viewportHeight: number;
}

/**
 * One kind of thing in the 3D view (surfels, trajectory, frustum). Layers own their GPU resources;
 * settings are plain records merged over the layer's DEFAULT_* settings.
 */
export interface Layer<S extends object> {
  readonly name: string;
  readonly settings: Readonly<S>;
  setSettings(patch: Partial<S>): void;
  draw(frame: FrameContext): void;
  dispose(): void;
}

export type { Regl };

/**
 * regl reads a plain uniforms object once, when the command is built; these getters make each uniform
 * read `values[name]` at draw time, so layers update uniforms by assigning to one record.
 */
export function dynamicUniforms(values: Record<string, unknown>, names: readonly string[]): Record<string, () => unknown> {
  const out: Record<string, () => unknown> = {};
  for (const n of names) out[n] = () => values[n];
  return out;
}
