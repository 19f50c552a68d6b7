/**
 * The true surfaces behind a sequence, when we generated it: the in-memory synthetic world (`synth:` specs)
 * or a folder written by `semslam gen` (its semslam.json names the room seed; rooms are reproducible from
 * their seed alone). Other sequences have no exact geometry: undefined.
 */
import type { SequenceReader } from '../sources/frame.js';
import { readSidecar } from '../sources/sidecar.js';
import { generateRoom, type Room } from './room.js';
import { z } from 'zod';
import type { HardEvent } from './hardCases.js';
import { createSyntheticSequence, isSynthSpec, parseSynthSpec } from './sequence.js';
import { SurfaceDistance } from './surfaceDistance.js';

export async function groundTruthRoom(reader: SequenceReader): Promise<Room | undefined> {
  const withRoom = reader as SequenceReader & { room?: Room };
  if (withRoom.room) return withRoom.room;
  // A synthetic sequence read through another thread (PrefetchingReader): its path is its spec.
  if (reader.info.format === 'synthetic') return isSynthSpec(reader.info.path) ? generateRoom(parseSynthSpec(reader.info.path).seed) : undefined;
  if (reader.info.format === 'camera') return undefined;
  let sidecar;
  try { sidecar = await readSidecar(reader.info.path); } catch { return undefined; }
  const g = sidecar?.generator;
  if (!g || g.tool !== 'semslam gen' || !Number.isInteger(g.seed)) return undefined;
  return generateRoom(g.seed as number);
}

/** A distance-to-true-surface measure for the sequence's world, or undefined when it has no known geometry. */
export async function groundTruthSurfaces(reader: SequenceReader): Promise<SurfaceDistance | undefined> {
  const room = await groundTruthRoom(reader);
  return room ? new SurfaceDistance(room.mesh) : undefined;
}

/** The hard intervals of a generated sequence (close-range passes, covered camera); [] when it has none or is not ours. */
export async function groundTruthEvents(reader: SequenceReader): Promise<readonly HardEvent[]> {
  const withEvents = reader as SequenceReader & { events?: readonly HardEvent[] };
  if (withEvents.events) return withEvents.events;
  if (reader.info.format === 'synthetic') {
    if (!isSynthSpec(reader.info.path)) return [];
    const o = parseSynthSpec(reader.info.path);
    return o.closePasses > 0 || o.covered > 0 ? createSyntheticSequence(o).events : [];
  }
  if (reader.info.format === 'camera') return [];
  let sidecar;
  try { sidecar = await readSidecar(reader.info.path); } catch { return []; }
  const parsed = eventsSchema.safeParse(sidecar?.generator?.events);
  return parsed.success ? parsed.data : [];
}

const eventsSchema = z.array(z.object({
  kind: z.enum(['close-range', 'covered']),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  hold: z.object({ start: z.number().int(), end: z.number().int(), distance: z.number() }).optional(),
}));
