import type { SequenceReader } from '../sources/frame.js';
import type { DemoSourceOptions } from './openSource.js';

/** The synthetic demo world (main/synth) as a sequence reader. */
export async function openDemoSequence(_o: DemoSourceOptions): Promise<SequenceReader> {
  throw new Error('the synthetic demo world is not available yet (main/synth has no sequence generator)');
}
