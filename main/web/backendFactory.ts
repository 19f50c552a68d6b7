/**
 * The one place the app's transports (web mode, Electron) get their AppBackend: the session runner's
 * `createAppBackend` in main/session/appBackend.ts (see main/contract/backend.ts).
 */
import type { AppBackend } from '../contract/backend.js';

export interface BackendFactoryOptions {
  /** Sessions database file; the store's default when absent. */
  database?: string;
}

type Factory = (options?: BackendFactoryOptions) => Promise<AppBackend>;

export async function createBackend(options: BackendFactoryOptions = {}): Promise<AppBackend> {
  // Loaded by path at run time so the transports build and test on their own while the runner evolves.
  const path = '../session/appBackend.js';
  let mod: { createAppBackend?: Factory };
  try {
    mod = (await import(path)) as { createAppBackend?: Factory };
  } catch (e) {
    throw new Error(`the session runner (main/session/appBackend.ts) could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof mod.createAppBackend !== 'function') throw new Error('main/session/appBackend.ts does not export createAppBackend()');
  return mod.createAppBackend(options);
}
