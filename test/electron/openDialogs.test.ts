import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPEN_FOLDER_DIALOG, OPEN_RECORDING_DIALOG, RECORDING_EXTENSIONS } from '../../electron/openDialogs.js';
import { openSequence } from '../../main/sources/open.js';
import { createSequenceWriter } from '../../main/sources/writers.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-open-dialogs-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('File › Open dialogs', () => {
  it('folders and single-file recordings have their own dialogs (Linux and Windows cannot ask for both at once)', () => {
    expect(OPEN_FOLDER_DIALOG.properties).toEqual(['openDirectory']);
    expect(OPEN_RECORDING_DIALOG.properties).toEqual(['openFile']);
    const filters = OPEN_RECORDING_DIALOG.filters!;
    // The first filter (the one the dialog starts with) shows every recording; "All files" stays reachable.
    expect(filters[0].extensions).toEqual(['mcap', 'klg']);
    expect(filters.some((f) => f.extensions.includes('*'))).toBe(true);
  });

  it.each(RECORDING_EXTENSIONS)('a .%s file the dialog offers opens as a sequence', async (ext) => {
    const seq = createSyntheticSequence({ seed: 3, frames: 2, width: 80, height: 60 });
    const path = join(root, `picked.${ext}`);
    const w = await createSequenceWriter(ext, path, { intrinsics: seq.info.intrinsics });
    for await (const f of seq.frames()) await w.write(f);
    await w.close();
    const r = await openSequence(path);
    try {
      expect(r.info.format).toBe(ext);
      expect(r.info.frames).toBe(2);
      expect((await r.read(1)).width).toBe(80);
    } finally {
      await r.close?.();
    }
  });
});
