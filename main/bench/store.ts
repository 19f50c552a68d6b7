/**
 * `npm run bench -- store [SEQUENCE] [--frames N]`: what persisting a session costs. Maps a few frames of a real
 * sequence (default: the 7-Scenes sample) to get a real surfel map, then times, in a temp database:
 *   - frame rows committed in batches (rows/s),
 *   - a map snapshot: encode (collect + deflate) and save, its compressed size,
 *   - reopening: loading the latest map back.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { openSource } from '../session/openSource.js';
import { encodeMap, encodeMapInBackground } from '../store/mapCodec.js';
import type { FrameRecord } from '../store/records.js';
import { SessionStore } from '../store/sessionStore.js';

const ms = (t0: number): number => performance.now() - t0;

export async function main(argv: string[]): Promise<void> {
  const framesAt = argv.indexOf('--frames');
  const frames = framesAt >= 0 ? Number(argv[framesAt + 1]) : 3;
  const source = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--frames') ?? resolve('../shared/data/real/7scenes-redkitchen-150-199');
  const reader = await openSource(source);
  const fusion = new SurfelFusion(reader.info.intrinsics);
  for (let i = 0; i < Math.min(frames, reader.info.frames); i++) {
    const f = await reader.read(i);
    fusion.processFrame({ rgb: f.rgb, depth: f.depth, timestamp: f.timestamp, ...(i === 0 && f.groundTruthPose ? { T_world_camera_hint: f.groundTruthPose } : {}) });
    process.stderr.write(`mapped frame ${i + 1}/${frames}: ${fusion.surfelCount} surfels\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'semslam-bench-store-'));
  try {
    const store = SessionStore.open(join(dir, 'bench.db'));
    const s = store.create({ name: 'bench', source, mode: 'rgbd', intrinsics: reader.info.intrinsics });
    const rows: FrameRecord[] = Array.from({ length: 3000 }, (_, i) => ({
      frameIndex: i, timestamp: i / 30, T_world_camera: fusion.T_world_camera, trackingOk: true, trackingLost: false,
      inlierRmse: 0.004, inlierRatio: 0.8, surfels: 250_000, ms: { read: 5, perception: 20, track: 30, fuse: 10, total: 70 },
    }));
    let t = performance.now();
    for (let b = 0; b < rows.length; b += 30) store.appendFrames(s.id, rows.slice(b, b + 30));
    const rowMs = ms(t);
    t = performance.now();
    const snap = fusion.snapshot();
    const collectMs = ms(t);
    t = performance.now();
    const encoded = encodeMap(snap);
    const deflateMs = ms(t);
    t = performance.now();
    store.saveSnapshot(s.id, 0, snap, 3);
    const saveMs = ms(t);
    // What the pipeline's thread pays for a background snapshot: packing, then (later) the SQLite write.
    t = performance.now();
    const pending = encodeMapInBackground(snap);
    const backgroundCallerMs = ms(t);
    const bg = await pending;
    const backgroundTotalMs = ms(t);
    t = performance.now();
    store.saveEncodedSnapshot(s.id, 1, bg, 3);
    const backgroundWriteMs = ms(t);
    store.close();
    t = performance.now();
    const again = SessionStore.open(join(dir, 'bench.db'), { access: 'readonly' });
    const openMs = ms(t);
    t = performance.now();
    const loaded = again.loadLatestMap(s.id)!;
    const loadMs = ms(t);
    again.close();
    const raw = snap.count * (12 + 12 + 3 + 4 + 4 + 1 + 4 + 4 + 1);
    const out = {
      source, surfels: snap.count,
      frameRows: { rows: rows.length, batch: 30, rowsPerSecond: (1000 * rows.length) / rowMs },
      snapshot: {
        collectMs, encodeMs: deflateMs, saveMs: saveMs, rawBytes: raw, compressedBytes: encoded.data.byteLength,
        background: { callerMs: backgroundCallerMs, writeMs: backgroundWriteMs, stallMs: backgroundCallerMs + backgroundWriteMs, wallMs: backgroundTotalMs + backgroundWriteMs },
        ratio: raw / encoded.data.byteLength,
      },
      reopen: { openWithQuickCheckMs: openMs, loadLatestMapMs: loadMs, loadedSurfels: loaded.map.count },
      databaseBytes: statSync(join(dir, 'bench.db')).size,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
