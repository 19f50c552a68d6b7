/**
 * The session's threads run below the caller's (main/parallel/threadPriority.ts): read back from /proc, where Linux
 * keeps each thread's nice value (field 19 of /proc/PID/task/TID/stat).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_SEQUENCE_SPEC } from '../../main/session/openSource.js';
import { PipelineSession } from '../../main/session/pipelineSession.js';
import { PrefetchingReader } from '../../main/pipeline/prefetch/prefetchingReader.js';
import { lowerThisThread, lowerThisThreadBy, READER_NICE_STEP, readerNiceStep, SESSION_NICE } from '../../main/parallel/threadPriority.js';

function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

/** Threads that were not in `before` and now run at `nice`. */
function newThreadsAt(before: Map<number, number>, after: Map<number, number>, nice: number): number {
  return [...after].filter(([tid, n]) => !before.has(tid) && n === nice).length;
}

describe('session thread priority', () => {
  it('a session runs its threads at SESSION_NICE and leaves the caller\'s main thread alone', async () => {
    const before = niceByThread();
    expect(before.get(process.pid)).toBe(0);
    const session = await PipelineSession.start({ source: DEMO_SEQUENCE_SPEC, mode: 'rgbd', pacing: 'everyFrame', paused: true, maxFrames: 2 });
    try {
      const after = niceByThread();
      // The session's loop, and the kernel pool's helper it starts (2 threads by default).
      expect(newThreadsAt(before, after, SESSION_NICE)).toBeGreaterThanOrEqual(1);
      expect(after.get(process.pid)).toBe(0);
    } finally {
      await session.stop();
    }
  }, 120_000);

  it('a prefetching reader\'s thread runs READER_NICE_STEP below its caller, which it leaves alone', async () => {
    const before = niceByThread();
    const reader = await PrefetchingReader.open('synth:seed=1,frames=3,size=80x60');
    try {
      await reader.read(0);
      const after = niceByThread();
      expect(newThreadsAt(before, after, READER_NICE_STEP)).toBe(1);
      expect(after.get(process.pid)).toBe(0);
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('does nothing where a nice value is the whole process\'s', () => {
    expect(lowerThisThread(SESSION_NICE, 'darwin')).toBe(false);
    expect(lowerThisThread(SESSION_NICE, 'win32')).toBe(false);
    expect(lowerThisThreadBy(READER_NICE_STEP, 'darwin')).toBe(false);
  });

  it('reads the reader\'s step from SEMSLAM_READER_NICE_STEP and refuses nonsense', () => {
    expect(readerNiceStep({})).toBe(READER_NICE_STEP);
    expect(readerNiceStep({ SEMSLAM_READER_NICE_STEP: '0' })).toBe(0);
    expect(() => readerNiceStep({ SEMSLAM_READER_NICE_STEP: 'low' })).toThrow(/SEMSLAM_READER_NICE_STEP must be an integer 0..19, got "low"/);
  });
});
