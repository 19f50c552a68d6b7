import type { SequenceReader } from '../sources/frame.js';
import { openMapInput } from '../pipeline/openInput.js';

/** The source string of a session for the embedded synthetic world ('synth:seed=N,frames=M,...' also works). */
export const DEMO_SOURCE = 'demo';

/** The embedded demo as `npm run demo` and the app's "demo" replay map it: 200 frames at 320×240. */
export const DEMO_SEQUENCE_SPEC = 'synth:seed=1,frames=200,size=320x240';

/**
 * A session's source: a sequence folder (anything main/sources opens), or the synthetic world (`demo`,
 * `synth:...`), exactly as `semslam map` accepts them.
 */
export async function openSource(source: string): Promise<SequenceReader> {
  return openMapInput(source);
}
