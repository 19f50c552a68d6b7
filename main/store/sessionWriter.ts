import { encodeMapInBackground, type StoredMap } from './mapCodec.js';
import type { FrameRecord, SessionStatus, TimingsSummary } from './records.js';
import type { SessionStore } from './sessionStore.js';

export interface SessionWriterOptions {
  /** Frame rows are committed in batches at most this far apart (ms): the most a killed process loses. */
  readonly flushIntervalMs: number;
  /** A map snapshot is taken when this much time (ms) has passed since the last one. */
  readonly snapshotIntervalMs: number;
  /** Snapshots kept per session (older ones are deleted when a new one lands). */
  readonly keepSnapshots: number;
  /**
   * Periodic snapshots compress on zlib's thread pool and land when done, instead of stalling the pipeline
   * (~0.5 s for a 300k-surfel map). The final snapshot (finish) is always written before finish returns.
   */
  readonly backgroundSnapshots: boolean;
}

export const DEFAULT_SESSION_WRITER_OPTIONS: Readonly<SessionWriterOptions> = Object.freeze({
  flushIntervalMs: 1000,
  snapshotIntervalMs: 5000,
  keepSnapshots: 3,
  backgroundSnapshots: true,
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
  /** The periodic snapshot being compressed, if any. */
  private inFlight: Promise<void> | null = null;
  private finished = false;
  /** A background snapshot's failure, thrown by the next call (the pipeline's thread reports it). */
  private failure: unknown = null;

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
    this.rethrow();
    this.pending.push(frame);
    if (this.now() - this.lastFlush >= this.options.flushIntervalMs) this.flush();
  }

  /** Saves a snapshot when the snapshot interval has passed; `map` is only called then (snapshots cost time). */
  maybeSnapshot(frameIndex: number, map: () => StoredMap): boolean {
    if (this.now() - this.lastSnapshot < this.options.snapshotIntervalMs || this.inFlight) return false;
    if (!this.options.backgroundSnapshots) {
      this.snapshot(frameIndex, map());
      return true;
    }
    // Frame rows first: a snapshot never describes frames the database does not have.
    this.flush();
    this.lastSnapshot = this.now();
    this.inFlight = encodeMapInBackground(map()).then((encoded) => {
      // After finish() the store may be closed, and the final snapshot is newer anyway.
      if (this.finished) return;
      this.store.saveEncodedSnapshot(this.sessionId, frameIndex, encoded, this.options.keepSnapshots);
      this.lastSnapshotFrame = frameIndex;
    }).catch((e: unknown) => { this.failure = e; }).finally(() => { this.inFlight = null; });
    return true;
  }

  private rethrow(): void {
    if (this.failure === null) return;
    const e = this.failure;
    this.failure = null;
    throw e;
  }

  /** Resolves when no periodic snapshot is being compressed (tests, orderly shutdown). */
  async settled(): Promise<void> {
    await this.inFlight;
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
    this.finished = false;
    this.store.setStatus(this.sessionId, 'running');
  }

  /** Commits everything, takes a final snapshot (unless one already covers `lastFrame`), records the outcome. */
  finish(status: SessionStatus, timings: TimingsSummary | undefined, lastFrame: number, map: (() => StoredMap) | undefined): void {
    this.finished = true;
    this.rethrow();
    this.flush();
    if (map && lastFrame >= 0 && lastFrame !== this.lastSnapshotFrame) this.snapshot(lastFrame, map());
    this.store.setStatus(this.sessionId, status, timings);
  }
}
