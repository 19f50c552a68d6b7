import { describe, expect, it } from 'vitest';
import type { FenceContext } from '../../renderer/scene/gpuFence.js';
import { GpuFence } from '../../renderer/scene/gpuFence.js';

/** A WebGL2 context's sync objects: each fence signals after `pollsUntilDone` polls. */
function fakeGl(pollsUntilDone: number) {
  const log: string[] = [];
  let polls = 0;
  let live = 0;
  const gl: FenceContext = {
    SYNC_GPU_COMMANDS_COMPLETE: 0x9117, ALREADY_SIGNALED: 0x911a, CONDITION_SATISFIED: 0x911c, WAIT_FAILED: 0x911d,
    fenceSync: () => { live++; polls = 0; log.push('fence'); return {} as WebGLSync; },
    clientWaitSync: (_s, _f, timeout) => {
      // Never a blocking wait: the page must not be held.
      expect(timeout).toBe(0);
      return ++polls >= pollsUntilDone ? 0x911a : 0x911b; // ALREADY_SIGNALED : TIMEOUT_EXPIRED
    },
    deleteSync: () => { live--; log.push('delete'); },
    flush: () => { log.push('flush'); },
  };
  return { gl, log, live: () => live };
}

describe('GpuFence', () => {
  it('reports the work done after the fence signals, timed from submission, without ever waiting', () => {
    const { gl, log, live } = fakeGl(3);
    let t = 100;
    const queued: (() => void)[] = [];
    const fence = new GpuFence(gl, () => t, (poll) => queued.push(poll));
    const done: number[] = [];
    expect(fence.track(95, (ms) => done.push(ms))).toBe(true);
    expect(log).toEqual(['fence', 'flush']);
    expect(fence.busy).toBe(true);
    expect(() => fence.track(96, () => undefined)).toThrow(/one piece of work at a time/);
    // Polled from later tasks until it signals.
    for (let k = 0; queued.length > 0; k++) {
      t += 2;
      queued.shift()!();
    }
    expect(done).toEqual([11]);
    expect(fence.busy).toBe(false);
    expect(live()).toBe(0);
  });

  it('says when no fence can be made (lost context), so the caller waits the old way', () => {
    const { gl } = fakeGl(1);
    const fence = new GpuFence({ ...gl, fenceSync: () => null }, () => 0, () => undefined);
    expect(fence.track(0, () => { throw new Error('never called'); })).toBe(false);
    expect(fence.busy).toBe(false);
  });

  it('forgets pending work on dispose: its callback never runs', () => {
    const { gl, live } = fakeGl(1);
    const queued: (() => void)[] = [];
    const fence = new GpuFence(gl, () => 0, (poll) => queued.push(poll));
    fence.track(0, () => { throw new Error('never called'); });
    fence.dispose();
    for (const poll of queued) poll();
    expect(live()).toBe(0);
    expect(fence.busy).toBe(false);
  });
});
