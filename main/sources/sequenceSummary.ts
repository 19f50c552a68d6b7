import type { Intrinsics } from '../../fusion/camera.js';
import type { SequenceFormat, StreamInfo } from './frame.js';
import type { OpenSequenceOptions } from './open.js';
import { openSequence } from './open.js';

/** What `semslam info` reports: the sequence index plus depth statistics of its first frame. */
export interface SequenceSummary {
  readonly path: string;
  readonly format: SequenceFormat;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly intrinsics: Intrinsics;
  readonly hasGroundTruth: boolean;
  readonly hasLabels: boolean;
  /** Fraction of first-frame pixels with depth (higher is better). */
  readonly depthValidFraction: number;
  /** Smallest / largest valid depth of the first frame, metres (null when it has none). */
  readonly depthMinM: number | null;
  readonly depthMaxM: number | null;
  readonly warnings: readonly string[];
  /** A bag's topics (or a log's frame stream) with their types, counts and rates. */
  readonly streams?: readonly StreamInfo[];
}

export async function summariseSequence(path: string, options: OpenSequenceOptions = {}): Promise<SequenceSummary> {
  const reader = await openSequence(path, options);
  const info = reader.info;
  let frame;
  try {
    frame = await reader.read(0);
  } finally {
    await reader.close?.();
  }
  let valid = 0, min = Infinity, max = -Infinity;
  const d = frame.depth;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(v > 0)) continue;
    valid++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    path: info.path, format: info.format, frames: info.frames, width: info.width, height: info.height,
    intrinsics: { ...info.intrinsics }, hasGroundTruth: info.hasGroundTruth, hasLabels: info.hasLabels,
    depthValidFraction: d.length === 0 ? 0 : valid / d.length,
    depthMinM: valid > 0 ? min : null, depthMaxM: valid > 0 ? max : null,
    warnings: info.warnings ?? [],
    ...(info.streams ? { streams: info.streams } : {}),
  };
}

export function formatSummary(s: SequenceSummary): string {
  const k = s.intrinsics;
  const f = (v: number | null, digits: number) => (v === null ? 'n/a' : v.toFixed(digits));
  const lines = [
    `path          ${s.path}`,
    `format        ${s.format}`,
    `frames        ${s.frames}`,
    `size          ${s.width}×${s.height}`,
    `intrinsics    fx ${k.fx.toFixed(3)}  fy ${k.fy.toFixed(3)}  cx ${k.cx.toFixed(3)}  cy ${k.cy.toFixed(3)}`,
    `ground truth  ${s.hasGroundTruth ? 'yes (camera poses)' : 'no'}`,
    `labels        ${s.hasLabels ? 'yes (NYU40)' : 'no'}`,
    `first frame   depth valid ${(100 * s.depthValidFraction).toFixed(1)}%, range ${f(s.depthMinM, 3)} – ${f(s.depthMaxM, 3)} m`,
  ];
  if (s.streams) {
    const nameWidth = Math.max(...s.streams.map((t) => t.name.length));
    const typeWidth = Math.max(...s.streams.map((t) => t.type.length));
    lines.push('streams');
    for (const t of s.streams) {
      const rate = t.rateHz === null ? '    n/a' : `${t.rateHz.toFixed(1).padStart(7)} Hz`;
      lines.push(`  ${t.name.padEnd(nameWidth)}  ${t.type.padEnd(typeWidth)}  ${String(t.count).padStart(7)} msgs ${rate}${t.role ? `  ← ${t.role}` : ''}`);
    }
  }
  for (const w of s.warnings) lines.push(`warning       ${w}`);
  return `${lines.join('\n')}\n`;
}
