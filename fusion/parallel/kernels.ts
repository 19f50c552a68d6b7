/**
 * Every kernel a KernelPool can run, by name: the stages' per-pixel and per-surfel loops, written as
 * (args, begin, end, out, outOffset) over a sub-range so that a worker thread runs the same code on its part.
 */
import { bilateralRows, downsampleRows, intensityPixels, levelRows } from '../preprocessor.js';
import { downsamplePredictionRows } from '../model-predictor.js';
import { icpAccumulate, rgbAccumulate, trackAccumulate } from '../icp-tracker.js';
import { associationFillPixels, associationRows, associationSlotRows, freeSpaceViolations, fuseRows, indexMapRows } from '../surfel-fuser.js';
import { labelUpdate } from '../label-fusion.js';
import { collectSurfels } from '../surfel-map.js';
import { splatRows } from '../splat.js';

// vertexRows, compactPixels and sobelRows run inside levelRows (one hand-off per pyramid level), so they are not
// kernels of their own.
export const kernels = {
  bilateralRows, intensityPixels, downsampleRows, levelRows,
  downsamplePredictionRows,
  icpAccumulate, rgbAccumulate, trackAccumulate,
  fuseRows, associationSlotRows, associationFillPixels, associationRows, freeSpaceViolations, indexMapRows,
  labelUpdate, collectSurfels, splatRows,
} as const;

export type KernelName = keyof typeof kernels;
export type KernelArgs<K extends KernelName> = Parameters<(typeof kernels)[K]>[0];

/** Runs one part of a kernel (what a pool's worker does with a job). */
export function runKernel(name: KernelName, args: unknown, begin: number, end: number, out: Float64Array, outOffset: number): void {
  const k = kernels[name] as (a: unknown, b: number, e: number, o: Float64Array, ob: number) => void;
  if (typeof k !== 'function') throw new Error(`unknown kernel ${String(name)}`);
  k(args, begin, end, out, outOffset);
}
