import type { SequenceReader } from '../sources/frame.js';
import { PrefetchingReader } from '../pipeline/prefetch/prefetchingReader.js';
import type { OpenSequenceOptions } from '../sources/open.js';

/** The source string of a session for the embedded synthetic world ('synth:seed=N,frames=M,...' also works). */
export const DEMO_SOURCE = 'demo';

/** The embedded demo as `npm run demo` and the app's "demo" replay map it: 200 frames at 320×240. */
export const DEMO_SEQUENCE_SPEC = 'synth:seed=1,frames=200,size=320x240';

/**
 * A session's source: a sequence folder (anything main/sources opens), or the synthetic world (`demo`,
 * `synth:...`), exactly as `semslam map` accepts them. Frames are read and decoded (or rendered) on a reading
 * thread a few frames ahead of the session's fusion; the session closes the reader when it ends.
 */
export async function openSource(source: string, options: OpenSequenceOptions = {}): Promise<SequenceReader> {
  // A session uses labels (simulation, scoring) but never the generator's exact depth.
  return PrefetchingReader.open(source, { ...options, extras: { depthGroundTruth: false, ...options.extras } });
}
