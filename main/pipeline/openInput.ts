import { InputError } from '../errors.js';
import type { SequenceReader } from '../sources/frame.js';
import { openSequence } from '../sources/open.js';

/**
 * What `semslam map` accepts as SEQUENCE: a folder openSequence understands, or the in-memory synthetic
 * world: `demo` or `synth:seed=N,frames=M[,width=W,height=H,noise=none|kinect]`.
 */

export interface SynthSpec {
  readonly seed: number;
  readonly frames: number;
  readonly width?: number;
  readonly height?: number;
  readonly noise?: string;
}

export const DEMO_SYNTH_SPEC: SynthSpec = { seed: 1, frames: 120 };

const SYNTH_KEYS = new Set(['seed', 'frames', 'width', 'height', 'noise']);

/** Parses `demo` / `synth:key=value,...`; undefined for anything else (a path). */
export function parseSynthSpec(spec: string): SynthSpec | undefined {
  if (spec === 'demo') return DEMO_SYNTH_SPEC;
  if (!spec.startsWith('synth:')) return undefined;
  const out: Record<string, number | string> = { ...DEMO_SYNTH_SPEC };
  const body = spec.slice('synth:'.length);
  for (const part of body.split(',').filter((p) => p.length > 0)) {
    const [key, value] = part.split('=');
    if (!SYNTH_KEYS.has(key) || value === undefined || value === '') {
      throw new InputError(spec, `bad synthetic sequence term "${part}" (expected ${[...SYNTH_KEYS].map((k) => `${k}=…`).join(', ')})`);
    }
    if (key === 'noise') { out.noise = value; continue; }
    const v = Number(value);
    if (!Number.isInteger(v) || v < (key === 'seed' ? 0 : 1)) throw new InputError(spec, `${key} must be a ${key === 'seed' ? 'non-negative' : 'positive'} integer, got "${value}"`);
    out[key] = v;
  }
  return out as unknown as SynthSpec;
}

/** Signature of the synthetic-world factory (main/synth), injected so this module does not fix its location. */
export type SynthFactory = (spec: SynthSpec) => Promise<SequenceReader> | SequenceReader;

export async function openMapInput(spec: string, synth?: SynthFactory): Promise<SequenceReader> {
  const s = parseSynthSpec(spec);
  if (!s) return openSequence(spec);
  if (!synth) throw new InputError(spec, 'the synthetic world is not available in this build');
  return synth(s);
}
