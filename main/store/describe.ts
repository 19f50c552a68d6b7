import type { SessionRecord } from './records.js';

/** A session as `semslam sessions --json` prints it (dates as ISO 8601). */
export interface SessionJson {
  readonly id: number;
  readonly name: string;
  readonly created: string;
  readonly updated: string;
  readonly source: string;
  readonly mode: string;
  readonly status: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly modelFile: string | null;
  readonly modelHash: string | null;
  readonly fps: number | null;
  readonly config: Readonly<Record<string, unknown>>;
}

export function sessionJson(s: SessionRecord): SessionJson {
  return {
    id: s.id, name: s.name, created: new Date(s.created).toISOString(), updated: new Date(s.updated).toISOString(),
    source: s.source, mode: s.mode, status: s.status, frames: s.frameCount, width: s.intrinsics.width, height: s.intrinsics.height,
    modelFile: s.modelFile, modelHash: s.modelHash, fps: s.timings?.fps ?? null, config: s.config,
  };
}

/** One line for humans: `12  kitchen  rgbd  finished  200 frames  2026-11-25 10:00  /data/tum`. */
export function sessionLine(s: SessionRecord): string {
  const when = new Date(s.created).toISOString().slice(0, 16).replace('T', ' ');
  const fps = s.timings ? `  ${s.timings.fps.toFixed(1)} FPS` : '';
  return `${String(s.id).padStart(4)}  ${s.name}  ${s.mode}  ${s.status}  ${s.frameCount} frames${fps}  ${when}  ${s.source}`;
}
