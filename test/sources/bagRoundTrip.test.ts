import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mapSequence } from '../../main/pipeline/mapSequence.js';
import type { SequenceReader } from '../../main/sources/frame.js';
import { KlgWriter } from '../../main/sources/klg.js';
import { McapSequenceWriter } from '../../main/sources/mcapWriter.js';
import { openSequence } from '../../main/sources/open.js';

const run = promisify(execFile);

/**
 * gen → bag → map: the same frames through a ROS 2 bag (or a .klg log) map to the same trajectory as
 * through the TUM folder. A bag with 32FC1 depth carries the folder's frames bit for bit, so the ATE is the
 * same (to 1e-12 m: stamps pass through sec + nanosec, so the pose lookup at a stamp can differ in the last bit); 16UC1 (millimetres) and .klg (millimetres) quantise depth more coarsely than TUM's 1/5000 m,
 * so theirs is close.
 */
describe('round trip: gen → mcap / klg → map', () => {
  let root: string, tum: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'semslam-bagtrip-'));
    tum = join(root, 'tum');
    await run(process.execPath, ['bin/semslam.js', 'gen', '--seed', '4', '--frames', '30', '--size', '160x120', '--format', 'tum', '--out', tum], { cwd: process.cwd() });
  });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  async function ate(reader: SequenceReader): Promise<number> {
    const { summary } = await mapSequence(reader, { labels: 'none' });
    await reader.close?.();
    expect(summary.frames).toBe(30);
    return summary.ateRmseM!;
  }

  it('a bag of the TUM folder\'s frames (32FC1) gives the same ATE; 16UC1 and .klg within 2 mm', async () => {
    const folder = await openSequence(tum);
    const bag32 = join(root, 'f32.mcap'), bag16 = join(root, 'mm.mcap'), klg = join(root, 'seq.klg');
    const w32 = await McapSequenceWriter.create(bag32, { intrinsics: folder.info.intrinsics, depthEncoding: '32FC1' });
    const w16 = await McapSequenceWriter.create(bag16, { intrinsics: folder.info.intrinsics });
    const wk = await KlgWriter.create(klg, { intrinsics: folder.info.intrinsics, colour: 'raw' });
    for await (const f of folder.frames()) {
      await w32.write(f); await w16.write(f); await wk.write(f);
    }
    await w32.close(); await w16.close(); await wk.close();

    const reference = await ate(await openSequence(tum));
    expect(reference).toBeGreaterThan(0);
    expect(reference).toBeLessThan(0.1);
    expect(Math.abs(await ate(await openSequence(bag32)) - reference)).toBeLessThan(1e-12);
    const mm = await ate(await openSequence(bag16));
    expect(Math.abs(mm - reference)).toBeLessThan(0.002);
    const fromKlg = await ate(await openSequence(klg));
    expect(Math.abs(fromKlg - reference)).toBeLessThan(0.002);
  });

  it('CLI: gen --format mcap, then info and map --out-mcap on the bag', async () => {
    const bag = join(root, 'gen.mcap');
    await run(process.execPath, ['bin/semslam.js', 'gen', '--seed', '4', '--frames', '30', '--size', '160x120', '--format', 'mcap', '--out', bag], { cwd: process.cwd() });
    const info = JSON.parse((await run(process.execPath, ['bin/semslam.js', 'info', bag, '--json'], { cwd: process.cwd() })).stdout);
    expect(info.format).toBe('mcap');
    expect(info.frames).toBe(30);
    expect(info.hasGroundTruth).toBe(true);
    expect(info.streams.find((s: { role?: string }) => s.role === 'colour').name).toBe('/camera/color/image_raw');
    const out = join(root, 'out.mcap');
    const { stdout } = await run(process.execPath, ['bin/semslam.js', 'map', bag, '--json', '--no-progress', '--labels', 'none', '--out-mcap', out], { cwd: process.cwd(), maxBuffer: 1 << 22 });
    const summary = JSON.parse(stdout);
    expect(summary.frames).toBe(30);
    expect(summary.ateRmseM).toBeLessThan(0.1);
    expect(summary.outMcap).toBe(out);
    // The output bag opens in our reader's indexer as a bag (no images: it says so, naming its topics).
    await expect(openSequence(out)).rejects.toThrow(/no image topics .*\/semslam\/map \(sensor_msgs\/PointCloud2\).*\/semslam\/path \(nav_msgs\/Path\)/);
  });
});
