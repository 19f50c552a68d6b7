import { writeFile } from 'node:fs/promises';
import { encodePly } from './ply.js';
import { encodePlyAscii } from './plyAscii.js';
import { encodePcd } from './pcd.js';
import type { StoredMap } from '../store/mapCodec.js';
import { selectSurfels } from '../store/selectSurfels.js';

/** Labelled point-cloud formats the app and `semslam export` write. */
export type MapExportFormat = 'ply' | 'pcd';
export type MapExportEncoding = 'binary' | 'ascii';

export interface MapExportOptions {
  readonly format: MapExportFormat;
  readonly encoding: MapExportEncoding;
  /** Surfels below this confidence are left out (0 keeps all). */
  readonly minConfidence: number;
  /** Header comments (PLY only). */
  readonly comments: readonly string[];
}

export const DEFAULT_MAP_EXPORT_OPTIONS: Readonly<MapExportOptions> = Object.freeze({
  format: 'ply', encoding: 'binary', minConfidence: 0, comments: Object.freeze([]) as readonly string[],
});

export interface MapExportResult {
  readonly path: string;
  readonly format: MapExportFormat;
  readonly encoding: MapExportEncoding;
  readonly surfels: number;
  readonly bytes: number;
}

export function encodeMap(map: StoredMap, options: Partial<MapExportOptions> = {}): { bytes: Uint8Array; surfels: number } {
  const o = { ...DEFAULT_MAP_EXPORT_OPTIONS, ...options };
  const selected = selectSurfels(map, o.minConfidence);
  const bytes = o.format === 'pcd'
    ? encodePcd(selected, { encoding: o.encoding })
    : o.encoding === 'ascii' ? encodePlyAscii(selected, o.comments) : encodePly(selected, o.comments);
  return { bytes, surfels: selected.count };
}

export async function exportMap(path: string, map: StoredMap, options: Partial<MapExportOptions> = {}): Promise<MapExportResult> {
  const o = { ...DEFAULT_MAP_EXPORT_OPTIONS, ...options };
  const { bytes, surfels } = encodeMap(map, o);
  await writeFile(path, bytes);
  return { path, format: o.format, encoding: o.encoding, surfels, bytes: bytes.byteLength };
}
