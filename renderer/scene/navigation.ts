/**
 * View navigation over the map: 'orbit' (drag to turn around a target, wheel to zoom, shift/right-drag
 * to pan), 'fly' (drag to look, W/A/S/D/Q/E to move) and 'follow' (sits behind the tracked camera).
 * World "up" is −y because the map is in the first camera's OpenCV frame (y down).
 */
import { mat4, vec3 } from 'gl-matrix';

export type NavigationMode = 'orbit' | 'fly' | 'follow';
export const NAVIGATION_MODES: readonly NavigationMode[] = ['orbit', 'fly', 'follow'];

export interface NavigationSettings {
  mode: NavigationMode;
  /** Vertical field of view, radians. */
  fovY: number;
  /** Fly speed, metres per key press tick. */
  flyStep: number;
  /** Follow mode: metres behind and above the tracked camera. */
  followBack: number;
  followUp: number;
}

export const DEFAULT_NAVIGATION_SETTINGS: NavigationSettings = { mode: 'orbit', fovY: Math.PI / 3, flyStep: 0.1, followBack: 1.0, followUp: 0.4 };

const UP = vec3.fromValues(0, -1, 0);
const scratchA = vec3.create();
const scratchB = vec3.create();

export class Navigation {
  settings: NavigationSettings = { ...DEFAULT_NAVIGATION_SETTINGS };
  readonly target = vec3.fromValues(0, 0, 2);
  distance = 4;
  /** Around world up, radians. */
  yaw = Math.PI;
  /** Above the horizon, radians. */
  pitch = 0.5;
  readonly flyEye = vec3.fromValues(0, 0, -1);
  /** Latest tracked camera pose (column-major T_world_camera), for follow mode. */
  tracked: number[] | null = null;

  /** Direction from the eye into the scene for the current yaw/pitch. */
  private forward(out: vec3): vec3 {
    const cp = Math.cos(this.pitch);
    // Horizontal plane is x–z; up is −y, so looking down means +y.
    return vec3.set(out, -Math.sin(this.yaw) * cp, Math.sin(this.pitch), -Math.cos(this.yaw) * cp);
  }

  /** Writes the view matrix and eye position. */
  view(outView: mat4, outEye: vec3): void {
    const mode = this.settings.mode;
    if (mode === 'follow' && this.tracked) {
      const m = this.tracked;
      const centre = vec3.set(scratchA, m[12], m[13], m[14]);
      const fwd = vec3.set(scratchB, m[8], m[9], m[10]);
      // Camera y axis points down in the image: "up" behind the camera is −y_cam.
      vec3.set(outEye, centre[0] - fwd[0] * this.settings.followBack - m[4] * this.settings.followUp,
        centre[1] - fwd[1] * this.settings.followBack - m[5] * this.settings.followUp,
        centre[2] - fwd[2] * this.settings.followBack - m[6] * this.settings.followUp);
      const look = vec3.scaleAndAdd(vec3.create(), centre, fwd, 1.0);
      mat4.lookAt(outView, outEye, look, vec3.fromValues(-m[4], -m[5], -m[6]));
      return;
    }
    if (mode === 'fly') {
      vec3.copy(outEye, this.flyEye);
      const f = this.forward(scratchA);
      mat4.lookAt(outView, outEye, vec3.add(scratchB, outEye, f), UP);
      return;
    }
    const f = this.forward(scratchA);
    vec3.scaleAndAdd(outEye, this.target, f, -this.distance);
    mat4.lookAt(outView, outEye, this.target, UP);
  }

  projection(out: mat4, aspect: number): mat4 {
    return mat4.perspective(out, this.settings.fovY, aspect, 0.01, 200);
  }

  /** Mouse drag by (dx, dy) pixels; `pan` for shift/right button. */
  drag(dx: number, dy: number, pan: boolean): void {
    if (pan && this.settings.mode === 'orbit') {
      const f = this.forward(scratchA);
      const right = vec3.normalize(scratchB, vec3.cross(scratchB, f, UP));
      const up = vec3.cross(vec3.create(), right, f);
      const s = this.distance * 0.002;
      vec3.scaleAndAdd(this.target, this.target, right, -dx * s);
      vec3.scaleAndAdd(this.target, this.target, up, dy * s);
      return;
    }
    this.yaw -= dx * 0.005;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dy * 0.005));
  }

  wheel(deltaY: number): void {
    if (this.settings.mode === 'fly') {
      this.key(deltaY < 0 ? 'w' : 's');
      return;
    }
    this.distance = Math.max(0.05, Math.min(100, this.distance * Math.exp(deltaY * 0.001)));
  }

  /** Fly keys; returns true when the key moved the view. */
  key(k: string): boolean {
    if (this.settings.mode !== 'fly') return false;
    const f = this.forward(scratchA);
    const right = vec3.normalize(scratchB, vec3.cross(scratchB, f, UP));
    const s = this.settings.flyStep;
    switch (k.toLowerCase()) {
      case 'w': vec3.scaleAndAdd(this.flyEye, this.flyEye, f, s); return true;
      case 's': vec3.scaleAndAdd(this.flyEye, this.flyEye, f, -s); return true;
      case 'a': vec3.scaleAndAdd(this.flyEye, this.flyEye, right, -s); return true;
      case 'd': vec3.scaleAndAdd(this.flyEye, this.flyEye, right, s); return true;
      case 'q': vec3.scaleAndAdd(this.flyEye, this.flyEye, UP, -s); return true;
      case 'e': vec3.scaleAndAdd(this.flyEye, this.flyEye, UP, s); return true;
      default: return false;
    }
  }

  setMode(mode: NavigationMode, eye: vec3): void {
    // Entering fly mode keeps the current eye so the view does not jump.
    if (mode === 'fly') vec3.copy(this.flyEye, eye);
    this.settings = { ...this.settings, mode };
  }

  /** Orbit around the centre of a bounding box so all of it is in view. */
  frame(min: ArrayLike<number>, max: ArrayLike<number>): void {
    vec3.set(this.target, (min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
    const r = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2;
    this.distance = Math.max(0.5, (r / Math.tan(this.settings.fovY / 2)) * 1.1);
  }
}
