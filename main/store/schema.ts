import type Database from 'better-sqlite3';

/**
 * The session database schema, as an ordered list of migration steps. `PRAGMA user_version` records how many
 * steps a file has had; opening a file runs the missing ones in one transaction each. Never edit a shipped
 * step: append a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** 'SSLM' in ASCII: marks a file as a semslam session database (PRAGMA application_id). */
export const SEMSLAM_APPLICATION_ID = 0x53534c4d;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions, per-frame rows, map snapshots',
    sql: `
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('rgbd', 'rgb')),
        intrinsics TEXT NOT NULL,
        model_file TEXT,
        model_hash TEXT,
        config TEXT NOT NULL,
        timings TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'finished', 'failed')),
        frame_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX sessions_name ON sessions (name);
      CREATE TABLE frames (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        timestamp REAL NOT NULL,
        pose BLOB NOT NULL,
        tracking_ok INTEGER NOT NULL,
        tracking_lost INTEGER NOT NULL,
        inlier_rmse REAL,
        inlier_ratio REAL,
        surfels INTEGER NOT NULL,
        ms TEXT NOT NULL,
        PRIMARY KEY (session_id, frame_index)
      ) WITHOUT ROWID;
      CREATE TABLE map_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        fields TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX map_snapshots_session ON map_snapshots (session_id, id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings a database to SCHEMA_VERSION. Throws (without writing) when the file is newer than this program. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`schema version ${current} is newer than this semslam understands (${SCHEMA_VERSION})`);
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
      db.pragma(`application_id = ${SEMSLAM_APPLICATION_ID}`);
    })();
  }
}
