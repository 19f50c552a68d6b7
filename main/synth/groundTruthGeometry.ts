/**
 * The true surfaces behind a sequence, when we generated it: the in-memory synthetic world (`synth:` specs)
 * or a folder written by `semslam gen` (its semslam.json names the room seed; rooms are reproducible from
 * their seed alone). Other sequences have no exact geometry: undefined.
 */
import type { SequenceReader } from '../sources/frame.js';
import { readSidecar } from '../sources/sidecar.js';
import { generateRoom, type Room } from './room.js';
import { isSynthSpec, parseSynthSpec } from './sequence.js';
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
