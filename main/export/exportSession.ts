import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Mat4 } from '../../fusion/pose.js';
import { InputError } from '../errors.js';
import { writeMapMcap } from '../sources/mcapWriter.js';
import type { StoredMap } from '../store/mapCodec.js';
import type { SessionRecord } from '../store/records.js';
import { selectSurfels } from '../store/selectSurfels.js';
import { DEFAULT_MAP_EXPORT_OPTIONS, encodeMap, type MapExportEncoding, type MapExportOptions } from './exportMap.js';

/**
 * What the app and `semslam export` write of a session: its labelled map as PLY or PCD, or its map and
 * estimated trajectory as a ROS 2 bag (MCAP, the same writer as `semslam map --out-mcap`) that Foxglove
 * shows beside the recording.
 */
export type SessionExportFormat = 'ply' | 'pcd' | 'mcap';

/** A session as far as an export needs it. */
export interface SessionExportContent {
  readonly map: StoredMap;
  /** The estimated camera poses in frame order (only an MCAP export writes them). */
  readonly frames: readonly { readonly timestamp: number; readonly T_world_camera: Mat4 }[];
}

export interface SessionExportOptions extends Omit<MapExportOptions, 'format'> {
  readonly format: SessionExportFormat;
  /** MCAP: the session as `semslam.session` metadata (name, source, ...). */
  readonly session?: Readonly<Record<string, string>>;
}

export interface SessionExportResult {
  readonly path: string;
  readonly format: SessionExportFormat;
  /** PLY and PCD: binary or ascii; MCAP is binary. */
  readonly encoding: MapExportEncoding;
  readonly surfels: number;
  /** Poses written (MCAP; 0 for the point-cloud formats). */
  readonly poses: number;
  readonly bytes: number;
}

/** A session's stored poses up to its map snapshot's frame: the bag's trajectory ends where its map was taken. */
export function framesUpTo<F extends { readonly frameIndex: number }>(frames: readonly F[], snapshotFrame: number): F[] {
  return frames.filter((f) => f.frameIndex <= snapshotFrame);
}

/** The `semslam.session` metadata of a stored session's bag. */
export function sessionMetadata(session: SessionRecord, snapshotFrame: number): Record<string, string> {
  return {
    id: String(session.id), name: session.name, source: session.source, mode: session.mode,
    created: new Date(session.created).toISOString(), intrinsics: JSON.stringify(session.intrinsics), snapshotFrame: String(snapshotFrame),
  };
}

/**
 * Writes the export next to `path` and renames it into place once complete: a failed export (disk full, a
 * folder that cannot be written) leaves no half-written file and never touches an older file of that name.
 * Failures of the file system are InputErrors naming the path and what went wrong.
 */
export async function exportSession(path: string, content: SessionExportContent, options: Partial<SessionExportOptions> = {}): Promise<SessionExportResult> {
  const o = { ...DEFAULT_MAP_EXPORT_OPTIONS, ...options };
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    let surfels: number, poses = 0;
    if (o.format === 'mcap') {
      const map = selectSurfels(content.map, o.minConfidence);
      const r = await writeMapMcap(temp, {
        timestamps: content.frames.map((f) => f.timestamp), trajectory: content.frames.map((f) => f.T_world_camera), map,
      }, o.session ? { session: { ...o.session } } : {});
      surfels = r.points;
      poses = r.poses;
    } else {
      const encoded = encodeMap(content.map, { ...o, format: o.format });
      await writeFile(temp, encoded.bytes);
      surfels = encoded.surfels;
    }
    await refuseFolder(path);
    await rename(temp, path);
    const bytes = (await stat(path)).size;
    return { path, format: o.format, encoding: o.format === 'mcap' ? 'binary' : o.encoding, surfels, poses, bytes };
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(path, e);
  }
}

/**
 * Refuses, before any work is done, an output path that cannot be written: its folder missing or a file, or
 * the path itself a folder (`semslam map` maps for minutes before it writes).
 */
export async function checkOutputPath(path: string, flag: string): Promise<void> {
  const parent = await stat(dirname(path)).catch(() => null);
  if (!parent) throw new InputError(flag, `${path}: cannot write the export: its folder does not exist`);
  if (!parent.isDirectory()) throw new InputError(flag, `${path}: cannot write the export: ${dirname(path)} is a file, not a folder`);
  await refuseFolder(path).catch((e: InputError) => { throw new InputError(flag, e.message); });
}

async function refuseFolder(path: string): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (s?.isDirectory()) throw new InputError(path, 'is a folder: give the name of the file to write');
}

const WRITE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EISDIR: 'is a folder: give the name of the file to write',
};

function writeError(path: string, e: unknown): Error {
  if (e instanceof InputError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return e instanceof Error ? e : new Error(String(e));
  return new InputError(path, `cannot write the export: ${WRITE_PROBLEMS[code] ?? code}`);
}
