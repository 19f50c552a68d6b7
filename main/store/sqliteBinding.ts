import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * better-sqlite3's native module is built for one runtime ABI. Node (the CLI, tests, web mode) uses the one npm
 * installed; Electron needs its own build, which `npm start` (scripts/electron-setup.mjs) makes beside the Node one
 * and names in this variable, so neither runtime breaks the other.
 */
export const SQLITE_BINDING_ENV = 'SEMSLAM_SQLITE_BINDING';

/** The native binding to load (an absolute .node path), or undefined for better-sqlite3's own lookup. */
export function sqliteNativeBinding(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[SQLITE_BINDING_ENV];
  if (!path) return undefined;
  if (!existsSync(path)) {
    throw new InputError(path, `${SQLITE_BINDING_ENV} names a better-sqlite3 native module that does not exist; run \`node scripts/electron-setup.mjs\` again or unset ${SQLITE_BINDING_ENV}`);
  }
  return path;
}
