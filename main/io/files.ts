import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';

/**
 * A file system failure on a file the user gave, as the InputError the CLI and the app show: "<what> not
 * found", or "cannot <verb> <what> (<code>)".
 */
export function fileError(path: string, e: unknown, what = 'file', verb = 'read'): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  return new InputError(path, code === 'ENOENT' ? `${what} not found` : `cannot ${verb} ${what} (${code ?? String(e)})`);
}

/** Opens a file for reading; a failure is an InputError naming it. */
export async function openForReading(path: string, what = 'file'): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw fileError(path, e, what, 'open');
  }
}

/**
 * Builds what owns `resource` (a reader over an open file): when building fails (a corrupt header, a
 * truncated index) the resource is closed before the error goes on, so no file handle is left behind.
 */
export async function closeOnFailure<R extends { close(): Promise<void> }, T>(resource: R, build: (resource: R) => Promise<T>): Promise<T> {
  try {
    return await build(resource);
  } catch (e) {
    await resource.close();
    throw e;
  }
}
