import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The default session database: $XDG_DATA_HOME/semslam/sessions.db, else ~/.local/share/semslam/sessions.db. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'semslam', 'sessions.db');
}

/** --db FILE or the default session database, as an absolute path. */
export function resolveDatabasePath(db?: string): string {
  return resolve(db ?? defaultDatabasePath());
}
