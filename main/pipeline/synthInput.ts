import type { SynthFactory } from './openInput.js';

/** The synthetic-world factory for `demo` / `synth:` inputs, or undefined while main/synth has none. */
export async function synthFactory(): Promise<SynthFactory | undefined> {
  return undefined;
}
