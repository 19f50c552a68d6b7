import { sqliteNativeBinding } from './sqliteBinding.js';
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { decodeMap, encodeMap, type EncodedMap, type StoredMap } from './mapCodec.js';
import {
  encodedFieldsSchema, intrinsicsSchema, parseFrameRow, parseSessionRow, parseSnapshotRow, poseToBlob,
  type FrameRecord, type NewSession, type SessionRecord, type SessionStatus, type SnapshotInfo, type TimingsSummary,
} from './records.js';
import { migrate, SCHEMA_VERSION, SEMSLAM_APPLICATION_ID } from './schema.js';

export interface StoreOpenOptions {
  /** 'readwrite' creates the file (and its folder) when missing; 'readonly' requires it to exist. */
  readonly access: 'readwrite' | 'readonly';
  /** Run PRAGMA quick_check on open (catches damaged pages before any write). */
  readonly check: boolean;
}

export const DEFAULT_STORE_OPEN_OPTIONS: Readonly<StoreOpenOptions> = Object.freeze({ access: 'readwrite', check: true });

export interface LoadedMap {
  readonly info: SnapshotInfo;
  readonly map: StoredMap;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Reads the first 16 bytes: a non-empty file without the SQLite header is never opened (so never written). */
function assertSqliteHeader(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new InputError(file, 'not a semslam session database (not an SQLite file); refusing to open or overwrite it');
    }
  } finally {
    closeSync(fd);
  }
}

function sqliteProblem(file: string, e: unknown): never {
  if (e instanceof InputError) throw e;
  const code = (e as { code?: string }).code ?? '';
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_IOERR')) {
    throw new InputError(file, `session database is damaged (${code}: ${message})`);
  }
  throw new InputError(file, `cannot open session database: ${message}`);
}

/**
 * Sessions, per-frame rows and map snapshots in one SQLite file (WAL, synchronous=NORMAL: a killed process loses
 * at most the transactions it had not committed, and never corrupts the file). One connection per process or
 * worker; several connections may share a file.
 */
export class SessionStore {
  private constructor(readonly file: string, private readonly db: Database.Database) {}

  static open(file: string, options: Partial<StoreOpenOptions> = {}): SessionStore {
    const o = { ...DEFAULT_STORE_OPEN_OPTIONS, ...options };
    assertSqliteHeader(file);
    if (o.access === 'readonly' && !existsSync(file)) throw new InputError(file, 'no such session database');
    if (o.access === 'readwrite') mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database | undefined;
    try {
      const nativeBinding = sqliteNativeBinding();
      db = new Database(file, { readonly: o.access === 'readonly', fileMustExist: o.access === 'readonly', ...(nativeBinding ? { nativeBinding } : {}) });
      db.pragma('busy_timeout = 5000');
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      const appId = db.pragma('application_id', { simple: true }) as number;
      if (appId !== SEMSLAM_APPLICATION_ID && (appId !== 0 || tables.n > 0)) {
        throw new InputError(file, `an SQLite database of another program (application_id ${appId}), not a semslam session database; refusing to modify it`);
      }
      if (o.check) {
        const result = db.pragma('quick_check', { simple: true }) as string;
        if (result !== 'ok') throw new InputError(file, `session database failed its integrity check: ${result}`);
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new InputError(file, `session database schema ${version} is newer than this semslam understands (${SCHEMA_VERSION})`);
      }
      if (o.access === 'readwrite') {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        migrate(db);
      } else if (version < SCHEMA_VERSION) {
        throw new InputError(file, `session database schema ${version} is older than ${SCHEMA_VERSION}; open it read-write once to upgrade`);
      }
      return new SessionStore(file, db);
    } catch (e) {
      db?.close();
      sqliteProblem(file, e);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Full PRAGMA integrity_check; 'ok' when sound. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  // ---- sessions

  create(s: NewSession): SessionRecord {
    intrinsicsSchema.parse(s.intrinsics);
    if (s.name.trim().length === 0) throw new RangeError('session name must not be empty');
    const now = Date.now();
    const info = this.db.prepare(`INSERT INTO sessions
      (name, created_ms, updated_ms, source, mode, intrinsics, model_file, model_hash, config, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')`).run(
      s.name, now, now, s.source, s.mode, JSON.stringify(s.intrinsics), s.modelFile ?? null, s.modelHash ?? null,
      JSON.stringify(s.config ?? {}),
    );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id);
    return row === undefined ? undefined : this.parseRow(() => parseSessionRow(row));
  }

  /** Newest first. */
  list(): SessionRecord[] {
    return this.db.prepare('SELECT * FROM sessions ORDER BY created_ms DESC, id DESC').all()
      .map((row) => this.parseRow(() => parseSessionRow(row)));
  }

  /** A session by id (all digits) or by name; InputError naming the file when none or several match. */
  resolve(ref: string): SessionRecord {
    if (/^\d+$/.test(ref)) {
      const byId = this.get(Number(ref));
      if (byId) return byId;
    }
    const rows = this.db.prepare('SELECT * FROM sessions WHERE name = ?').all(ref).map((row) => this.parseRow(() => parseSessionRow(row)));
    if (rows.length === 1) return rows[0];
    if (rows.length === 0) throw new InputError(this.file, `no session with id or name "${ref}"`);
    throw new InputError(this.file, `${rows.length} sessions are named "${ref}" (ids ${rows.map((r) => r.id).join(', ')}); give the id`);
  }

  rename(id: number, name: string): SessionRecord {
    if (name.trim().length === 0) throw new RangeError('session name must not be empty');
    const r = this.db.prepare('UPDATE sessions SET name = ?, updated_ms = ? WHERE id = ?').run(name, Date.now(), id);
    if (r.changes === 0) throw new InputError(this.file, `no session with id ${id}`);
    return this.get(id)!;
  }

  /** Deletes the session with its frames and snapshots. */
  delete(id: number): void {
    const r = this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    if (r.changes === 0) throw new InputError(this.file, `no session with id ${id}`);
  }

  setStatus(id: number, status: SessionStatus, timings?: TimingsSummary): void {
    if (timings) {
      this.db.prepare('UPDATE sessions SET status = ?, timings = ?, updated_ms = ? WHERE id = ?').run(status, JSON.stringify(timings), Date.now(), id);
    } else {
      this.db.prepare('UPDATE sessions SET status = ?, updated_ms = ? WHERE id = ?').run(status, Date.now(), id);
    }
  }

  // ---- frames

  /** Appends (or replaces, when a frame is re-run after a seek) frame rows in ONE transaction. */
  appendFrames(sessionId: number, frames: readonly FrameRecord[]): void {
    if (frames.length === 0) return;
    const insert = this.db.prepare(`INSERT OR REPLACE INTO frames
      (session_id, frame_index, timestamp, pose, tracking_ok, tracking_lost, inlier_rmse, inlier_ratio, surfels, ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const update = this.db.prepare(`UPDATE sessions SET updated_ms = ?,
      frame_count = (SELECT count(*) FROM frames WHERE session_id = ?) WHERE id = ?`);
    this.db.transaction(() => {
      for (const f of frames) {
        insert.run(sessionId, f.frameIndex, f.timestamp, poseToBlob(f.T_world_camera), f.trackingOk ? 1 : 0, f.trackingLost ? 1 : 0,
          f.inlierRmse, f.inlierRatio, f.surfels, JSON.stringify(f.ms));
      }
      update.run(Date.now(), sessionId, sessionId);
    })();
  }

  frames(sessionId: number): FrameRecord[] {
    return this.db.prepare('SELECT * FROM frames WHERE session_id = ? ORDER BY frame_index').all(sessionId)
      .map((row) => this.parseRow(() => parseFrameRow(row)));
  }

  // ---- map snapshots

  /** Stores a compressed snapshot and drops all but the newest `keepLatest` of this session, in one transaction. */
  saveSnapshot(sessionId: number, frameIndex: number, map: StoredMap, keepLatest: number): SnapshotInfo {
    return this.saveEncodedSnapshot(sessionId, frameIndex, encodeMap(map), keepLatest);
  }

  /** saveSnapshot for a map already encoded (encodeMapInBackground). */
  saveEncodedSnapshot(sessionId: number, frameIndex: number, encoded: EncodedMap, keepLatest: number): SnapshotInfo {
    if (!(keepLatest >= 1)) throw new RangeError('keepLatest must be ≥ 1');
    let id = 0;
    this.db.transaction(() => {
      const r = this.db.prepare(`INSERT INTO map_snapshots (session_id, frame_index, created_ms, count, fields, data)
        VALUES (?, ?, ?, ?, ?, ?)`).run(sessionId, frameIndex, Date.now(), encoded.count, JSON.stringify(encoded.fields), encoded.data);
      id = Number(r.lastInsertRowid);
      this.db.prepare(`DELETE FROM map_snapshots WHERE session_id = ? AND id NOT IN
        (SELECT id FROM map_snapshots WHERE session_id = ? ORDER BY id DESC LIMIT ?)`).run(sessionId, sessionId, keepLatest);
    })();
    return this.snapshots(sessionId).find((s) => s.id === id)!;
  }

  /** Newest first. */
  snapshots(sessionId: number): SnapshotInfo[] {
    return this.db.prepare(`SELECT id, session_id, frame_index, created_ms, count, length(data) AS bytes
      FROM map_snapshots WHERE session_id = ? ORDER BY id DESC`).all(sessionId)
      .map((row) => this.parseRow(() => parseSnapshotRow(row)));
  }

  /** The session's newest map, or undefined when it has none yet. */
  loadLatestMap(sessionId: number): LoadedMap | undefined {
    const row = this.db.prepare(`SELECT id, session_id, frame_index, created_ms, count, length(data) AS bytes, fields, data
      FROM map_snapshots WHERE session_id = ? ORDER BY id DESC LIMIT 1`).get(sessionId) as
      (Record<string, unknown> & { fields: string; data: Buffer; count: number }) | undefined;
    if (!row) return undefined;
    return this.parseRow(() => {
      const info = parseSnapshotRow(row);
      const fields = encodedFieldsSchema.parse(JSON.parse(row.fields));
      return { info, map: decodeMap({ count: row.count, fields, data: row.data }) };
    });
  }

  /** A row that fails to parse means the file is damaged or was written by something else. */
  private parseRow<T>(parse: () => T): T {
    try {
      return parse();
    } catch (e) {
      throw new InputError(this.file, `malformed row in session database: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
