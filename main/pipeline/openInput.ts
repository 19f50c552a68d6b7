import type { SequenceReader } from '../sources/frame.js';
import type { OpenSequenceOptions } from '../sources/open.js';
import { openSequence } from '../sources/open.js';
import { createSyntheticSequence, isSynthSpec, parseSynthSpec } from '../synth/sequence.js';

/**
 * What `semslam map` accepts as SEQUENCE: a folder openSequence understands, or the in-memory synthetic
 * world: `demo` (the default synthetic sequence) or `synth:seed=N,frames=M[,size=WxH,noise=kinect|none]`.
 */
export async function openMapInput(spec: string, options: OpenSequenceOptions = {}): Promise<SequenceReader> {
  if (spec === 'demo') return createSyntheticSequence();
  if (isSynthSpec(spec)) return createSyntheticSequence(parseSynthSpec(spec));
  return openSequence(spec, options);
}
