import type { SequenceReader } from '../sources/frame.js';
import { openSequence } from '../sources/open.js';

/** The source string of a session: 'demo' (the embedded synthetic world) or a sequence folder. */
export const DEMO_SOURCE = 'demo';

export interface DemoSourceOptions {
  readonly seed: number;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
}

/** The embedded demo: 200 frames at 320×240 maps in well under a minute on one core. */
export const DEFAULT_DEMO_SOURCE_OPTIONS: Readonly<DemoSourceOptions> = Object.freeze({ seed: 1, frames: 200, width: 320, height: 240 });

export async function openSource(source: string, demo: Partial<DemoSourceOptions> = {}): Promise<SequenceReader> {
  if (source === DEMO_SOURCE) {
    const o = { ...DEFAULT_DEMO_SOURCE_OPTIONS, ...demo };
    const { openDemoSequence } = await import('./demoSequence.js');
    return openDemoSequence(o);
  }
  return openSequence(source);
}
