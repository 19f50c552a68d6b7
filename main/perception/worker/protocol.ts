import type { JointNetworkOptions, PerceptionBuffers, PerceptionResult } from '../joint-network.js';
import type { JointModelDescription } from '../model-metadata.js';

/**
 * The PerceptionWorker message contract, declared once for both sides.
 *
 * What crosses the thread boundary, and how:
 * - `run.rgb`: COPIED by default (structured clone, 0.9 MB at 640×480); TRANSFERRED when the caller
 *   passes `transferRgb` (the caller's buffer is then detached, zero copy).
 * - result buffers (depth, probs13, labels40, probs40): TRANSFERRED from the worker (zero copy); the
 *   worker no longer owns them. Handing them back with `recycle` TRANSFERS them into the worker's pool so
 *   the next frame of that size reuses them (no allocation in steady state).
 * - everything else (options, model description, timings, errors): small records, copied.
 */
export type PerceptionWorkerRequest =
  | { readonly type: 'load'; readonly id: number; readonly file: string; readonly options: Partial<JointNetworkOptions> }
  | { readonly type: 'run'; readonly id: number; readonly rgb: Uint8Array; readonly width: number; readonly height: number }
  | { readonly type: 'recycle'; readonly buffers: PerceptionBuffers }
  | { readonly type: 'dispose'; readonly id: number };

/** An error as it crosses the boundary: class name, message and (for InputError) the file. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly file?: string;
  readonly problem?: string;
}

export type PerceptionWorkerResponse =
  | { readonly type: 'loaded'; readonly id: number; readonly description: JointModelDescription; readonly options: JointNetworkOptions }
  | { readonly type: 'result'; readonly id: number; readonly result: PerceptionResult }
  | { readonly type: 'disposed'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

/** The buffers of a result, for transfer lists. */
export function transferablesOf(b: PerceptionBuffers): ArrayBuffer[] {
  const list = [b.depth.buffer, b.probs13.buffer, b.labels40.buffer] as ArrayBuffer[];
  if (b.probs40) list.push(b.probs40.buffer as ArrayBuffer);
  return list;
}
