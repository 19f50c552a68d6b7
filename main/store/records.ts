import { z } from 'zod';
import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';

/**
 * The typed records the store hands out, and the parse functions that turn raw SQLite rows into them. Every
 * row passes through one of these: a row that does not parse is a corrupt file, reported as such.
 */

export type SessionMode = 'rgbd' | 'rgb';
export type SessionStatus = 'running' | 'paused' | 'finished' | 'failed';

/** Summary of per-stage timings over a session: mean milliseconds per stage, and frames per second. */
export interface TimingsSummary {
  readonly frames: number;
  readonly fps: number;
  readonly meanMs: Readonly<Record<string, number>>;
}

export interface SessionRecord {
  readonly id: number;
  readonly name: string;
  /** Unix milliseconds. */
  readonly created: number;
  readonly updated: number;
  /** Path of the sequence, 'demo' for the embedded synthetic world, 'camera:<id>' for a live camera. */
  readonly source: string;
  readonly mode: SessionMode;
  readonly intrinsics: Intrinsics;
  readonly modelFile: string | null;
  readonly modelHash: string | null;
  /** The resolved configuration the session ran with (fusion config, runner options), as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly timings: TimingsSummary | null;
  readonly status: SessionStatus;
  readonly frameCount: number;
}

/** What a caller supplies to create a session; the store fills id, dates, status. */
export interface NewSession {
  readonly name: string;
  readonly source: string;
  readonly mode: SessionMode;
  readonly intrinsics: Intrinsics;
  readonly modelFile?: string | null;
  readonly modelHash?: string | null;
  readonly config?: Readonly<Record<string, unknown>>;
}

export interface FrameRecord {
  readonly frameIndex: number;
  /** Seconds, sensor clock. */
  readonly timestamp: number;
  readonly T_world_camera: Mat4;
  readonly trackingOk: boolean;
  readonly trackingLost: boolean;
  /** Lower is better; null when tracking did not run (first frame). */
  readonly inlierRmse: number | null;
  /** Higher is better. */
  readonly inlierRatio: number | null;
  readonly surfels: number;
  /** Per-stage milliseconds (perception, preprocess, track, fuse, labels, total, ...). */
  readonly ms: Readonly<Record<string, number>>;
}

export interface SnapshotInfo {
  readonly id: number;
  readonly sessionId: number;
  readonly frameIndex: number;
  readonly created: number;
  readonly count: number;
  /** Compressed size in bytes. */
  readonly bytes: number;
}

const finite = z.number().refine(Number.isFinite, 'must be finite');

export const intrinsicsSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fx: finite, fy: finite, cx: finite, cy: finite,
});

const timingsSchema = z.object({
  frames: z.number().int().nonnegative(),
  fps: z.number(),
  meanMs: z.record(z.string(), z.number()),
});

function json(text: unknown, what: string): unknown {
  if (typeof text !== 'string') throw new Error(`${what} is not text`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

const sessionRowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  created_ms: z.number(),
  updated_ms: z.number(),
  source: z.string(),
  mode: z.enum(['rgbd', 'rgb']),
  intrinsics: z.string(),
  model_file: z.string().nullable(),
  model_hash: z.string().nullable(),
  config: z.string(),
  timings: z.string().nullable(),
  status: z.enum(['running', 'paused', 'finished', 'failed']),
  frame_count: z.number().int().nonnegative(),
});

/** Raw `sessions` row → SessionRecord; throws an Error naming the bad column. */
export function parseSessionRow(row: unknown): SessionRecord {
  const r = sessionRowSchema.parse(row);
  const config = json(r.config, `session ${r.id} config`);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`session ${r.id} config is not an object`);
  return {
    id: r.id,
    name: r.name,
    created: r.created_ms,
    updated: r.updated_ms,
    source: r.source,
    mode: r.mode,
    intrinsics: intrinsicsSchema.parse(json(r.intrinsics, `session ${r.id} intrinsics`)),
    modelFile: r.model_file,
    modelHash: r.model_hash,
    config: config as Record<string, unknown>,
    timings: r.timings === null ? null : timingsSchema.parse(json(r.timings, `session ${r.id} timings`)),
    status: r.status,
    frameCount: r.frame_count,
  };
}

const frameRowSchema = z.object({
  frame_index: z.number().int().nonnegative(),
  timestamp: z.number(),
  pose: z.instanceof(Uint8Array),
  tracking_ok: z.number().int(),
  tracking_lost: z.number().int(),
  inlier_rmse: z.number().nullable(),
  inlier_ratio: z.number().nullable(),
  surfels: z.number().int().nonnegative(),
  ms: z.string(),
});

export function poseToBlob(T: Mat4): Buffer {
  if (T.length !== 16) throw new RangeError(`pose must have 16 elements, got ${T.length}`);
  return Buffer.from(new Float64Array(T).buffer);
}

export function parseFrameRow(row: unknown): FrameRecord {
  const r = frameRowSchema.parse(row);
  if (r.pose.byteLength !== 128) throw new Error(`frame ${r.frame_index} pose blob has ${r.pose.byteLength} bytes, expected 128`);
  const T = new Float64Array(16);
  new Uint8Array(T.buffer).set(r.pose);
  return {
    frameIndex: r.frame_index,
    timestamp: r.timestamp,
    T_world_camera: T,
    trackingOk: r.tracking_ok !== 0,
    trackingLost: r.tracking_lost !== 0,
    inlierRmse: r.inlier_rmse,
    inlierRatio: r.inlier_ratio,
    surfels: r.surfels,
    ms: z.record(z.string(), z.number()).parse(json(r.ms, `frame ${r.frame_index} ms`)),
  };
}

const snapshotRowSchema = z.object({
  id: z.number().int(),
  session_id: z.number().int(),
  frame_index: z.number().int(),
  created_ms: z.number(),
  count: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export function parseSnapshotRow(row: unknown): SnapshotInfo {
  const r = snapshotRowSchema.parse(row);
  return { id: r.id, sessionId: r.session_id, frameIndex: r.frame_index, created: r.created_ms, count: r.count, bytes: r.bytes };
}

export const encodedFieldsSchema = z.array(z.object({
  name: z.string(),
  kind: z.enum(['f32', 'u8', 'u32']),
  length: z.number().int().nonnegative(),
}));
