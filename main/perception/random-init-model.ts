import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportRandomInit, type RandomInitExport, DEFAULT_RANDOM_INIT_EXPORT } from './python-tools.js';

/**
 * An untrained (paper-init) export of the joint network, for tests and benchmarks: random weights time
 * exactly like trained ones. Cached in the system temp folder under a key made of the export options and
 * the Python package's sources, so it is rebuilt when models/semslam_net changes and otherwise reused
 * (the export costs several seconds of PyTorch).
 */

const PACKAGE_DIR = fileURLToPath(new URL('../../models/semslam_net/', import.meta.url));
export const RANDOM_INIT_CACHE_DIR = join(tmpdir(), 'semslam-perception-models');

async function sourceKey(options: RandomInitExport): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(options));
  const files = (await readdir(PACKAGE_DIR)).filter((f) => f.endsWith('.py')).sort();
  for (const f of files) hash.update(f).update(await readFile(join(PACKAGE_DIR, f)));
  return hash.digest('hex').slice(0, 16);
}

/** Path of a cached random-init ONNX export, exporting it first when missing. */
export async function randomInitModel(options: Partial<RandomInitExport> = {}): Promise<string> {
  const o = { ...DEFAULT_RANDOM_INIT_EXPORT, ...options };
  const key = await sourceKey(o);
  const file = join(RANDOM_INIT_CACHE_DIR, `joint-c${o.classes}${o.normals ? '-normals' : ''}-seed${o.seed}-${key}.onnx`);
  try {
    await stat(file);
    return file;
  } catch {
    // not cached yet
  }
  await mkdir(RANDOM_INIT_CACHE_DIR, { recursive: true });
  // Export beside the target and rename: concurrent test processes never see a half-written file.
  const partial = `${file}.${process.pid}.${Date.now()}.partial.onnx`;
  await exportRandomInit(partial, o);
  await rename(partial, file);
  return file;
}
