import type { StoredMap } from './mapCodec.js';
import type { FrameRecord, SessionStatus, TimingsSummary } from './records.js';
import type { SessionStore } from './sessionStore.js';

export interface SessionWriterOptions {
  /** Frame rows are committed in batches at most this far apart (ms): the most a killed process loses. */
  readonly flushIntervalMs: number;
  /** A map snapshot is taken when this much time (ms) has passed since the last one. */
  readonly snapshotIntervalMs: number;
  /** Snapshots kept per session (older ones are deleted when a new one lands). */
  readonly keepSnapshots: number;
}

export const DEFAULT_SESSION_WRITER_OPTIONS: Readonly<SessionWriterOptions> = Object.freeze({
  flushIntervalMs: 1000,
  snapshotIntervalMs: 5000,
  keepSnapshots: 3,
});

/**
 * Persists one running session: buffers frame rows and commits them in one transaction per interval (one
 * fsync-free WAL commit per second instead of one per frame), and takes periodic map snapshots. The clock is
 * injectable so tests decide when intervals pass.
 */
export class SessionWriter {
  private readonly options: SessionWriterOptions;
  private pending: FrameRecord[] = [];
  private lastFlush: number;
  private lastSnapshot: number;
  private lastSnapshotFrame = -1;

  constructor(
    private readonly store: SessionStore,
    readonly sessionId: number,
    options: Partial<SessionWriterOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_SESSION_WRITER_OPTIONS, ...options };
    this.lastFlush = this.now();
    this.lastSnapshot = this.now();
  }

  /** Queues a frame row; commits the queue when the flush interval has passed. */
  addFrame(frame: FrameRecord): void {
    this.pending.push(frame);
    if (this.now() - this.lastFlush >= this.options.flushIntervalMs) this.flush();
  }

  /** Saves a snapshot when the snapshot interval has passed; `map` is only called then (snapshots cost time). */
  maybeSnapshot(frameIndex: number, map: () => StoredMap): boolean {
    if (this.now() - this.lastSnapshot < this.options.snapshotIntervalMs) return false;
    this.snapshot(frameIndex, map());
    return true;
  }

  snapshot(frameIndex: number, map: StoredMap): void {
    // Frame rows first: a snapshot never describes frames the database does not have.
    this.flush();
    this.store.saveSnapshot(this.sessionId, frameIndex, map, this.options.keepSnapshots);
    this.lastSnapshot = this.now();
    this.lastSnapshotFrame = frameIndex;
  }

  flush(): void {
    if (this.pending.length > 0) {
      this.store.appendFrames(this.sessionId, this.pending);
      this.pending = [];
    }
    this.lastFlush = this.now();
  }

  /** Marks a finished session as running again (mapping resumed after a seek). */
  resume(): void {
    this.store.setStatus(this.sessionId, 'running');
  }

  /** Commits everything, takes a final snapshot (unless one already covers `lastFrame`), records the outcome. */
  finish(status: SessionStatus, timings: TimingsSummary | undefined, lastFrame: number, map: (() => StoredMap) | undefined): void {
    this.flush();
    if (map && lastFrame >= 0 && lastFrame !== this.lastSnapshotFrame) this.snapshot(lastFrame, map());
    this.store.setStatus(this.sessionId, status, timings);
  }
}
