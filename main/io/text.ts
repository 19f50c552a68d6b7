import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { fileError } from './files.js';

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fileError(path, e);
  }
}

export async function pathKind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Checks the files an index lists. Every one missing (or a folder) means the wrong or a broken folder: an
 * InputError naming the first. Some missing means a damaged sequence that can still be mapped: the warning
 * names how many and the first, and the frames that need them fail to read (and are skipped, flagged).
 */
export async function checkListedFiles(paths: readonly string[], listedIn: string): Promise<{ warning?: string; missing: Set<string> }> {
  const BATCH = 64;
  const missing = new Set<string>();
  let first: { path: string; kind: 'dir' | 'missing' } | undefined;
  for (let i = 0; i < paths.length; i += BATCH) {
    const kinds = await Promise.all(paths.slice(i, i + BATCH).map(pathKind));
    kinds.forEach((k, j) => {
      if (k === 'file') return;
      missing.add(paths[i + j]);
      first ??= { path: paths[i + j], kind: k };
    });
  }
  if (!first) return { missing };
  const problem = `listed in ${listedIn} but ${first.kind === 'dir' ? 'is a folder' : 'missing'}`;
  if (missing.size === new Set(paths).size) throw new InputError(first.path, problem);
  return { missing, warning: `${first.path}: ${problem} (${missing.size} of ${paths.length} listed files); those frames will be skipped` };
}
