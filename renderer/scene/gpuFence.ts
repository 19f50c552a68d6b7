/**
 * Knowing when the GPU has done a piece of work without waiting for it. A slice of the progressive pass (and a
 * light image while the view moves) used to end with a 1-pixel readPixels, which holds the page until Chromium's
 * GPU process has drawn everything queued before it: with a software rasteriser on a busy machine, that process
 * can be off the CPU for a hundred milliseconds and more, and the page answered nothing meanwhile. A WebGL2 fence
 * tells the same thing asynchronously: the page polls it between tasks (a few milliseconds apart) and draws the
 * next slice once it has signalled, so the GPU still never gets a backlog, and the page stays free.
 * No DOM here (unit-tested in Node with a fake context).
 */

/** The part of WebGL2 used here. */
export interface FenceContext {
  readonly SYNC_GPU_COMMANDS_COMPLETE: number;
  readonly ALREADY_SIGNALED: number;
  readonly CONDITION_SATISFIED: number;
  readonly WAIT_FAILED: number;
  fenceSync(condition: number, flags: number): WebGLSync | null;
  clientWaitSync(sync: WebGLSync, flags: number, timeout: number): number;
  deleteSync(sync: WebGLSync | null): void;
  flush(): void;
}

/** Between polls of a pending fence (ms): the resolution of the measured cost; a poll costs microseconds. */
export const FENCE_POLL_MS = 2;

interface Pending {
  readonly sync: WebGLSync;
  readonly submittedAt: number;
  readonly done: (ms: number) => void;
}

export class GpuFence {
  private pending: Pending | null = null;

  constructor(
    private readonly gl: FenceContext,
    private readonly now: () => number = () => performance.now(),
    private readonly later: (poll: () => void) => void = (poll) => { setTimeout(poll, FENCE_POLL_MS); },
  ) {}

  /** Work handed to track() has not been seen done yet: draw nothing more that must be measured. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Call after issuing the work that began at `submittedAt`: `done(ms)` is called once the GPU has finished it
   * (ms from `submittedAt` to the poll that saw it, so an over-estimate by at most a poll interval plus the
   * page's own delays). Returns false, calling nothing, when a fence cannot be made (lost context): the caller
   * falls back to waiting for the GPU itself.
   */
  track(submittedAt: number, done: (ms: number) => void): boolean {
    if (this.pending) throw new Error('GpuFence: one piece of work at a time');
    const sync = this.gl.fenceSync(this.gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    if (!sync) return false;
    // Without a flush the commands (and the fence) may sit in the page's buffer and never signal.
    this.gl.flush();
    this.pending = { sync, submittedAt, done };
    this.later(this.poll);
    return true;
  }

  /** Forgets the pending work (the context is going away); its callback is never called. */
  dispose(): void {
    if (this.pending) this.gl.deleteSync(this.pending.sync);
    this.pending = null;
  }

  private readonly poll = (): void => {
    const p = this.pending;
    if (!p) return;
    const gl = this.gl;
    const status = gl.clientWaitSync(p.sync, 0, 0);
    if (status !== gl.ALREADY_SIGNALED && status !== gl.CONDITION_SATISFIED && status !== gl.WAIT_FAILED) {
      this.later(this.poll);
      return;
    }
    gl.deleteSync(p.sync);
    this.pending = null;
    p.done(this.now() - p.submittedAt);
  };
}

/**
 * A WebGL2 context as regl (a WebGL1 library) expects one: the extensions WebGL2 made core are answered with
 * objects that call the core functions. regl asks for nothing else that WebGL2 lacks.
 */
export function asWebGl1ForRegl(gl: WebGL2RenderingContext): WebGL2RenderingContext {
  const getExtension = gl.getExtension.bind(gl);
  const core: Record<string, unknown> = {
    angle_instanced_arrays: {
      VERTEX_ATTRIB_ARRAY_DIVISOR_ANGLE: gl.VERTEX_ATTRIB_ARRAY_DIVISOR,
      drawArraysInstancedANGLE: gl.drawArraysInstanced.bind(gl),
      drawElementsInstancedANGLE: gl.drawElementsInstanced.bind(gl),
      vertexAttribDivisorANGLE: gl.vertexAttribDivisor.bind(gl),
    },
    oes_element_index_uint: {},
  };
  (gl as unknown as { getExtension: (name: string) => unknown }).getExtension = (name: string) => core[name.toLowerCase()] ?? getExtension(name);
  return gl;
}
