import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePly } from '../../main/export/ply.js';
import { SessionStore } from '../../main/store/sessionStore.js';

const run = promisify(execFile);

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-demo-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('npm run demo (scripts/demo.mjs → semslam demo)', () => {
  it('maps the synthetic room, scores it, writes the labelled PLY and the session', async () => {
    const db = join(dir, 'demo.db');
    const ply = join(dir, 'demo.ply');
    const { stdout, stderr } = await run(process.execPath, [resolve('scripts/demo.mjs'), '--frames', '6', '--size', '320x240',
      '--segment-every', '1', '--model', join(dir, 'no-model.onnx'), '--db', db, '--out-ply', ply, '--json', '--no-progress']);
    expect(stderr).toMatch(/no-model\.onnx not found: rgbd mode .* simulated CNN labels/);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ mode: 'rgbd', labelSource: 'simulated', frames: 6, trackingFailures: 0, database: db });
    // The synthetic world has exact ground truth: tracking should be within a couple of centimetres over 6 frames.
    expect(doc.ateRmseM).toBeLessThan(0.03);
    expect(doc.labels.frames).toBe(6);
    expect(doc.labels.singleFramePixelAcc).toBeGreaterThan(0.3);
    expect(doc.labels.fusedCoverage).toBeGreaterThan(0.5);
    expect(doc.fps).toBeGreaterThan(0);
    const map = decodePly(ply, readFileSync(ply));
    expect(map.count).toBe(doc.surfels);
    expect(doc.ply.surfels).toBe(doc.surfels);
    // Fused labels are real 13-class ids, and most surfels got one.
    const labelled = map.labels.filter((l) => l >= 1 && l <= 13).length;
    expect(labelled / map.count).toBeGreaterThan(0.5);
    const store = SessionStore.open(db, { access: 'readonly' });
    const [session] = store.list();
    expect(session).toMatchObject({ id: doc.session, status: 'finished', frameCount: 6, mode: 'rgbd', source: 'synth:seed=1,frames=6,size=320x240' });
    expect(store.loadLatestMap(session.id)!.map.count).toBe(doc.surfels);
    store.close();
  });
});
