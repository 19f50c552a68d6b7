import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Intrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';

/**
 * `semslam.json`: the small record our writers put beside a sequence so our readers (and people) know
 * what was written. Readers honour it: its intrinsics replace the format's defaults, and
 * `depthRegistered: true` tells the NYU reader the depth is already in the RGB camera (no undistortion,
 * no registration, no image-maximum invalid rule).
 */
export const SIDECAR_FILE = 'semslam.json';
/** Per-frame extras, named after the depth file's base name with `.png`. */
export const LABELS_DIR = 'labels40';
export const DEPTH_GT_DIR = 'depth_gt';
/** Ground-truth depth PNG scale (TUM convention): value = round(metres × 5000). */
export const DEPTH_GT_SCALE = 5000;
/** 8-bit label PNG value for "no label". */
export const LABEL_VOID = 255;

const intrinsicsSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fx: z.number().finite(),
  fy: z.number().finite(),
  cx: z.number().finite(),
  cy: z.number().finite(),
});

export const sidecarSchema = z.object({
  semslamSequence: z.literal(1),
  format: z.enum(['nyu', 'tum']),
  intrinsics: intrinsicsSchema,
  depthRegistered: z.boolean(),
  fps: z.number().positive().optional(),
  generator: z.record(z.string(), z.unknown()).optional(),
  /** Which optional per-frame streams exist (decided by the first frame written). */
  hasLabels: z.boolean(),
  hasDepthGroundTruth: z.boolean(),
  hasGroundTruthPose: z.boolean(),
});

export type Sidecar = z.infer<typeof sidecarSchema>;

export async function readSidecar(dir: string): Promise<Sidecar | undefined> {
  const path = join(dir, SIDECAR_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = sidecarSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(path, `bad sidecar: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export async function writeSidecar(dir: string, sidecar: Sidecar): Promise<void> {
  await writeFile(join(dir, SIDECAR_FILE), `${JSON.stringify(sidecar, null, 2)}\n`);
}

export function intrinsicsOf(s: Sidecar): Intrinsics {
  return { ...s.intrinsics };
}
