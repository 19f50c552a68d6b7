/**
 * Training sets of independent synthetic views in the NYUDv2 labelled layout (as the paper's data
 * loaders read it): `NNNNNN.png` RGB, `depth_gt_NNNNNN.png` (16-bit, metres × 5000, 0 = missing),
 * `segm_gt_NNNNNN.png` (8-bit, 0..39, 255 = void; omitted for depth-only sets), `index.txt` (one id
 * per line) and `meta.json` (seed, rooms, views per room, room seed of each id, size).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePngRaster } from '../io/image.js';
import { mixSeed, Rng } from './random.js';
import { applyRgbNoise } from './noise.js';
import { Renderer } from './renderer.js';
import { generateRoom } from './room.js';
import { kinectIntrinsics } from './sequence.js';
import { sampleViews } from './trajectory.js';

export interface LabelledSetOptions {
  readonly seed: number;
  readonly rooms: number;
  readonly viewsPerRoom: number;
  /** Room r uses room seed roomSeedOffset + r, so sets built from disjoint ranges share no room. */
  readonly roomSeedOffset: number;
  readonly width: number;
  readonly height: number;
  /** Write segm_gt files (false: a depth-only set). */
  readonly labels: boolean;
  /** Add mild sensor noise to RGB. */
  readonly rgbNoise: boolean;
  /**
   * Each room's floor plan is scaled by a factor drawn uniformly from [min, max] (RoomOptions.sizeScale), from its
   * own random stream: [1, 1] gives the same rooms, bit for bit, as before the option existed.
   */
  readonly roomScale: readonly [number, number];
}

export const DEFAULT_LABELLED_SET: LabelledSetOptions = {
  seed: 0, rooms: 10, viewsPerRoom: 20, roomSeedOffset: 0, width: 640, height: 480, labels: true, rgbNoise: true, roomScale: [1, 1],
};

export interface LabelledSetMeta {
  readonly semslamLabelledSet: 1;
  readonly seed: number;
  readonly rooms: number;
  readonly viewsPerRoom: number;
  readonly roomSeedOffset: number;
  readonly width: number;
  readonly height: number;
  readonly labels: boolean;
  readonly depthScale: number;
  readonly intrinsics: { fx: number; fy: number; cx: number; cy: number };
  /** ids[k] and roomSeeds[k] describe view k. */
  readonly ids: string[];
  readonly roomSeeds: number[];
  readonly roomKinds: string[];
  /** Floor-plan scale of each room (see LabelledSetOptions.roomScale). */
  readonly roomScales: number[];
}

export const LABELLED_DEPTH_SCALE = 5000;

/** A room-scale range written "1.5" or "1-1.8" (0 < min ≤ max ≤ 10); RangeError with the reason otherwise. */
export function parseRoomScale(v: string): [number, number] {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(v.trim());
  const lo = m ? Number(m[1]) : NaN, hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(lo > 0 && hi >= lo && hi <= 10)) throw new RangeError(`expected MIN or MIN-MAX with 0 < MIN ≤ MAX ≤ 10, got "${v}"`);
  return [lo, hi];
}
const ROOM_SCALE_STREAM = 0x5343414c;

/** Writes the set; `onView` is called after each view (progress). Returns the meta record. */
export async function writeLabelledSet(dir: string, options: Partial<LabelledSetOptions>, onView?: (done: number, total: number) => void): Promise<LabelledSetMeta> {
  const o: LabelledSetOptions = { ...DEFAULT_LABELLED_SET, ...options };
  await mkdir(dir, { recursive: true });
  const K = kinectIntrinsics(o.width, o.height);
  const renderer = new Renderer(o.width, o.height);
  const n = o.width * o.height;
  const depth16 = new Uint16Array(n);
  const ids: string[] = [], roomSeeds: number[] = [], roomKinds: string[] = [], roomScales: number[] = [];
  const [scaleMin, scaleMax] = o.roomScale;
  if (!(scaleMin > 0 && scaleMax >= scaleMin && Number.isFinite(scaleMax))) throw new RangeError(`roomScale must be 0 < min ≤ max (got ${scaleMin}, ${scaleMax})`);
  const total = o.rooms * o.viewsPerRoom;
  for (let r = 0; r < o.rooms; r++) {
    const roomSeed = o.roomSeedOffset + r;
    const sizeScale = scaleMax > scaleMin ? new Rng(mixSeed(o.seed, roomSeed, ROOM_SCALE_STREAM)).uniform(scaleMin, scaleMax) : scaleMin;
    const room = generateRoom(roomSeed, { sizeScale });
    roomScales.push(sizeScale);
    const views = sampleViews(room, mixSeed(o.seed, roomSeed), o.viewsPerRoom);
    for (let v = 0; v < views.length; v++) {
      const id = String(ids.length + 1).padStart(6, '0');
      const out = renderer.render(room, views[v], K);
      const rgb = o.rgbNoise ? applyRgbNoise(out.rgb, mixSeed(o.seed, roomSeed, v)) : out.rgb;
      for (let i = 0; i < n; i++) {
        const d = out.depth[i];
        depth16[i] = d > 0 ? Math.min(65535, Math.round(d * LABELLED_DEPTH_SCALE)) : 0;
      }
      const writes = [
        writeFile(join(dir, `${id}.png`), encodePngRaster({ width: o.width, height: o.height, channels: 3, data: rgb })),
        writeFile(join(dir, `depth_gt_${id}.png`), encodePngRaster({ width: o.width, height: o.height, channels: 1, data: depth16 })),
      ];
      if (o.labels) writes.push(writeFile(join(dir, `segm_gt_${id}.png`), encodePngRaster({ width: o.width, height: o.height, channels: 1, data: out.labels40 })));
      await Promise.all(writes);
      ids.push(id);
      roomSeeds.push(roomSeed);
      roomKinds.push(room.kind);
      onView?.(ids.length, total);
    }
  }
  const meta: LabelledSetMeta = {
    semslamLabelledSet: 1, seed: o.seed, rooms: o.rooms, viewsPerRoom: o.viewsPerRoom, roomSeedOffset: o.roomSeedOffset,
    width: o.width, height: o.height, labels: o.labels, depthScale: LABELLED_DEPTH_SCALE,
    intrinsics: { fx: K.fx, fy: K.fy, cx: K.cx, cy: K.cy }, ids, roomSeeds, roomKinds, roomScales,
  };
  await writeFile(join(dir, 'index.txt'), ids.map((id) => `${id}\n`).join(''));
  await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
  return meta;
}
