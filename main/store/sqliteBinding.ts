import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

/**
 * better-sqlite3's native module is built for one runtime ABI. Node (the CLI, tests, web mode) uses the one npm
 * installed; Electron needs its own build, which `npm start` (scripts/electron-setup.mjs) makes beside the Node one
 * and names in this variable, so neither runtime breaks the other.
 */
export const SQLITE_BINDING_ENV = 'SEMSLAM_SQLITE_BINDING';

/**
 * Where scripts/electron-setup.mjs builds better-sqlite3 for an Electron version (`dir`, a copy of the package)
 * and the module electron/main.ts then loads (`binding`). One formula for both, so they cannot drift apart.
 */
export function electronSqliteBuild(repoRoot: string, electronVersion: string, platform: string = process.platform,
  arch: string = process.arch): { dir: string; binding: string } {
  const dir = join(repoRoot, '.electron', `better-sqlite3-electron-${electronVersion}-${platform}-${arch}`);
  return { dir, binding: join(dir, 'build', 'Release', 'better_sqlite3.node') };
}

/** The native binding to load (an absolute .node path), or undefined for better-sqlite3's own lookup. */
export function sqliteNativeBinding(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[SQLITE_BINDING_ENV];
  if (!path) return undefined;
  if (!existsSync(path)) {
    throw new InputError(path, `${SQLITE_BINDING_ENV} names a better-sqlite3 native module that does not exist; run \`node scripts/electron-setup.mjs\` again or unset ${SQLITE_BINDING_ENV}`);
  }
  return path;
}
