import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`);
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

/** Throws InputError for the first path that is not a readable file (checked in parallel batches). */
export async function expectFilesExist(paths: readonly string[], listedIn: string): Promise<void> {
  const BATCH = 64;
  for (let i = 0; i < paths.length; i += BATCH) {
    const kinds = await Promise.all(paths.slice(i, i + BATCH).map(pathKind));
    const bad = kinds.findIndex((k) => k !== 'file');
    if (bad >= 0) throw new InputError(paths[i + bad], `listed in ${listedIn} but ${kinds[bad] === 'dir' ? 'is a folder' : 'missing'}`);
  }
}
