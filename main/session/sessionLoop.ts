import { basename } from 'node:path';
import { PALETTE13 } from '../../fusion/classes.js';
import { scaleIntrinsics, type Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { FusionConfig } from '../../fusion/config.js';
import type { KernelPool } from '../../fusion/parallel/pool.js';
import { serialPool } from '../../fusion/parallel/pool.js';
import { defaultThreads, ThreadKernelPool } from '../parallel/threadPool.js';
import { DisplayDeltaFilter } from '../../fusion/display-filter.js';
import type { FrameResult, MapSnapshot } from '../../fusion/types.js';
import type { AppEvent, FrameStats, PlaybackState, Preview, TrackingState } from '../contract/channels.js';
import { encodeMapDelta, encodeMapDeltaParts } from '../contract/mapDelta.js';
import { colorMapDepth, DEFAULT_PREVIEW_OPTIONS, downsample, overlaySegmentation, previewSize } from '../contract/preview.js';
import type { Frame, SequenceReader } from '../sources/frame.js';
import { CameraEndedError, LiveCameraReader, type CameraImage, type PushResult } from '../sources/liveCamera.js';
import { createSequenceWriter, type SequenceWriter } from '../sources/writers.js';
import type { FrameRecord, TimingsSummary } from '../store/records.js';
import { SessionStore } from '../store/sessionStore.js';
import { SessionWriter } from '../store/sessionWriter.js';
import { downscaleFrame } from './downscale.js';
import { resolveSessionOptions, type SessionOptions } from './options.js';
import { choosePerception, type FramePerception, type PerceptionSource } from './perceptionSource.js';
import { openSource } from './openSource.js';
import { inspectFrame, readOrFlag } from '../pipeline/frameCheck.js';

/**
 * rgb mode fuses the network's depth: fusion treats it as predicted (per-pixel σ, photometric-dominant tracking,
 * see FusionConfig.predictedDepth) unless the session's own fusion options say otherwise.
 */
export function fusionConfigFor(o: Pick<SessionOptions, 'mode' | 'fusion'>): Partial<FusionConfig> {
  return o.mode === 'rgb' ? { predictedDepth: true, ...o.fusion } : o.fusion;
}

/** Sees every processed frame with what perception made of it (evaluation, benchmarks); must not keep `p`'s buffers. */
export type FrameObserver = (frame: Frame, p: FramePerception, result: FrameResult) => void;

/** An event plus the buffers the transport may move instead of copying (map-delta and preview bytes). */
export type EmitFn = (event: AppEvent, transfer: ArrayBuffer[]) => void;

/** One processed frame as kept for the session's result (poses for ATE, labels for accuracy). */
export interface ProcessedFrame {
  readonly index: number;
  readonly timestamp: number;
  readonly T_world_camera: Mat4;
  readonly groundTruthPose?: Mat4;
  readonly trackingOk: boolean;
  readonly stagesMs: Readonly<Record<string, number>>;
}

export interface SessionInfo {
  readonly sessionId: number | null;
  readonly database: string | null;
  readonly name: string;
  readonly source: string;
  readonly mode: SessionOptions['mode'];
  readonly frames: number;
  readonly intrinsics: Intrinsics;
  readonly labels: PerceptionSource['kind'];
  readonly labelsDescription: string;
  readonly warnings: readonly string[];
  /** Live camera sessions that record: the TUM sequence folder being written. */
  readonly recording: string | null;
}

export interface SessionResult {
  readonly info: SessionInfo;
  readonly status: 'finished' | 'paused' | 'failed';
  readonly processed: number;
  readonly skipped: number;
  readonly lost: number;
  readonly timings: TimingsSummary;
  readonly surfels: number;
}

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const yieldToMessages = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * The session's loop: source → perception → fusion → store, one frame at a time, with play/pause/step/seek/
 * speed. It runs wherever it is created (the worker in production, the test's thread in tests) and reports
 * through `emit` only. Commands may arrive while a frame is processed; they take effect between frames.
 */
export class SessionLoop {
  private fusion: SurfelFusion | null = null;
  private readonly frameIntrinsics: Intrinsics;
  private state: PlaybackState['state'];
  private cursor: number;
  private readonly end: number;
  private pendingSteps = 0;
  private speed: number;
  private readonly realtime: boolean;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  private lastFrame = -1;
  private ordinal = 0;
  // Pacing: the frame period in seconds (estimated from timestamps), and the wall/frame anchor of 'realtime'.
  private period = 1 / 30;
  private prevStamp: { index: number; timestamp: number } | null = null;
  private anchor = { wall: 0, index: 0 };
  // Outgoing updates.
  private deltaFusionFrame = -1;
  private resetPending = true;
  /** What the viewers were last sent per surfel: deltas carry only visible changes. */
  private readonly displayFilter = new DisplayDeltaFilter();
  private lastUpdateWall = -Infinity;
  private trajectory: number[] = [];
  private trajectorySent = 0;
  private fpsWindow: number[] = [];
  private lastPerception: { frame: Frame; p: FramePerception } | null = null;
  // Results.
  readonly processedFrames: ProcessedFrame[] = [];
  private skipped = 0;
  private lost = 0;
  private readonly stageSums: Record<string, number> = {};
  private busyMs = 0;
  private closedResult: SessionResult | null = null;
  /** Live camera sessions: the reader images are pushed into, and the optional TUM recorder. */
  private readonly camera: LiveCameraReader | null;
  private recorder: SequenceWriter | null = null;
  /** Runs the fusion kernels (worker threads over shared memory). */
  private pool: KernelPool = serialPool;
  /** The end of the source was reached (and persisted as 'finished'). */
  private completed = false;
  /** Frames were processed after completion (a seek back). */
  private dirty = false;
  private resolveFinished!: (r: SessionResult) => void;
  /** Resolves when the session first reaches its end, is stopped, or fails (call stop() to release files). */
  readonly finished: Promise<SessionResult>;

  private constructor(
    readonly options: SessionOptions,
    readonly info: SessionInfo,
    private readonly reader: SequenceReader,
    private readonly perception: PerceptionSource,
    private readonly store: SessionStore | null,
    private readonly writer: SessionWriter | null,
    private readonly emit: EmitFn,
    private readonly observer: FrameObserver | undefined,
  ) {
    this.frameIntrinsics = info.intrinsics;
    this.cursor = options.start;
    this.camera = reader instanceof LiveCameraReader ? reader : null;
    // A camera has no end: the session runs until it is stopped (or maxFrames).
    this.end = this.camera ? options.start + options.maxFrames : Math.min(reader.info.frames, options.start + options.maxFrames);
    this.speed = options.speed;
    this.realtime = options.pacing === 'realtime';
    this.state = options.paused ? 'paused' : 'playing';
    this.finished = new Promise((r) => { this.resolveFinished = r; });
  }

  /** Opens the source, chooses perception, creates the session row; starts playing unless options.paused. */
  static async create(partial: Partial<SessionOptions>, emit: EmitFn, observer?: FrameObserver): Promise<SessionLoop> {
    const options = resolveSessionOptions(partial);
    const reader = options.camera ? new LiveCameraReader(options.camera.intrinsics, options.camera.label, options.camera.warnings) : await openSource(options.source, options.sourceOptions);
    const warnings = [...(reader.info.warnings ?? [])];
    const choice = await choosePerception(options.mode, options.modelFile, reader.info.hasLabels, options.segmentEvery, options.seed);
    if (choice.warning) warnings.push(choice.warning);
    const s = options.downscale;
    const intrinsics = s === 1 ? reader.info.intrinsics
      : scaleIntrinsics(reader.info.intrinsics, Math.floor(reader.info.width / s), Math.floor(reader.info.height / s));
    const sourceName = options.camera ? `camera ${options.camera.label}` : options.source === 'demo' ? 'demo' : basename(options.source);
    const name = options.name ?? `${sourceName} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    let store: SessionStore | null = null;
    let writer: SessionWriter | null = null;
    let sessionId: number | null = null;
    if (options.database) {
      store = SessionStore.open(options.database);
      const row = store.create({
        name, source: options.source, mode: options.mode, intrinsics, modelFile: choice.source.modelFile,
        modelHash: choice.source.modelHash,
        config: {
          labels: choice.source.kind, labelsDescription: choice.source.description, fusion: options.fusion,
          downscale: s, segmentEvery: options.segmentEvery, pacing: options.pacing, start: options.start,
          maxFrames: Number.isFinite(options.maxFrames) ? options.maxFrames : null, seed: options.seed,
          ...(options.camera ? { camera: options.camera.label, recording: options.camera.recordDir } : {}),
        },
      });
      sessionId = row.id;
      writer = new SessionWriter(store, row.id, options.writer);
    }
    const info: SessionInfo = {
      sessionId, database: options.database, name, source: options.source, mode: options.mode,
      frames: Math.max(0, Math.min(reader.info.frames, options.start + options.maxFrames) - options.start), intrinsics,
      labels: choice.source.kind, labelsDescription: choice.source.description, warnings,
      recording: options.camera?.recordDir ?? null,
    };
    const loop = new SessionLoop(options, info, reader, choice.source, store, writer, emit, observer);
    loop.pool = await ThreadKernelPool.start({ threads: options.threads || defaultThreads() });
    if (options.camera?.recordDir) {
      try {
        loop.recorder = await createSequenceWriter('tum', options.camera.recordDir, {
          intrinsics, generator: { tool: 'semslam camera', camera: options.camera.label, depth: `predicted by ${choice.source.modelFile ?? 'the network'}` },
        });
      } catch (e) {
        loop.pool.close();
        throw e;
      }
    }
    for (const w of warnings) emit({ channel: 'error', payload: { message: w, fatal: false } }, []);
    loop.emitPlayback();
    if (loop.state === 'playing') loop.kick();
    return loop;
  }

  // ---- commands

  playback(): PlaybackState {
    return {
      state: this.state, sessionId: this.info.sessionId === null ? null : String(this.info.sessionId),
      source: this.info.source, mode: this.info.mode, frame: this.lastFrame, frames: this.camera ? 0 : this.reader.info.frames,
      speed: this.speed, realtime: this.realtime,
    };
  }

  play(): PlaybackState {
    if (this.state === 'paused') {
      this.state = 'playing';
      this.reanchor();
      this.emitPlayback();
      this.kick();
    }
    return this.playback();
  }

  /**
   * Resolves once the frame in progress is done and its map update sent, so that whoever sees 'paused' (the
   * reply, the playback event) already has the whole map it paused on. A camera loop may be waiting for an
   * image that never comes: it is not awaited.
   */
  async pause(): Promise<PlaybackState> {
    if (this.state === 'playing') {
      this.state = 'paused';
      this.pendingSteps = 0;
      if (!this.camera) await this.pumping;
      this.emitPlayback();
    }
    return this.playback();
  }

  /** Processes `frames` more frames (in order, no pacing), then stays paused. */
  async step(frames = 1): Promise<PlaybackState> {
    if (this.state === 'playing') await this.pause();
    if (this.state !== 'paused') return this.playback();
    this.pendingSteps += frames;
    this.kick();
    await this.pumping;
    return this.playback();
  }

  setSpeed(speed: number): PlaybackState {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.speed = speed;
    this.reanchor();
    this.emitPlayback();
    return this.playback();
  }

  /**
   * Live camera sessions: hands the newest image to the pipeline (an unread older one is dropped). Images that
   * arrive while paused are dropped the same way; playing continues from the newest.
   */
  pushCameraImage(image: CameraImage): PushResult {
    if (!this.camera) throw new Error('this session replays a sequence; it takes no camera images');
    return this.camera.push(image);
  }

  /**
   * Continues from source frame `frame`. Any jump other than to the next frame restarts fusion there (the map is
   * cleared, a reset map delta follows): tracking cannot bridge a jump, and frames cannot be un-fused.
   */
  async seek(frame: number): Promise<PlaybackState> {
    if (!(Number.isInteger(frame) && frame >= this.options.start && frame < this.end)) {
      throw new RangeError(`frame ${frame} is outside ${this.options.start}..${this.end - 1}`);
    }
    if (this.stopped) throw new Error('the session has been stopped');
    if (this.camera) throw new RangeError('a live camera cannot seek');
    const wasPlaying = this.state === 'playing';
    if (wasPlaying) this.state = 'paused';
    await this.pumping;
    if (frame !== this.lastFrame + 1) this.resetMap();
    this.cursor = frame;
    if (this.state === 'finished') {
      this.state = 'paused';
      this.writer?.resume();
    }
    if (wasPlaying) {
      this.state = 'playing';
      this.reanchor();
      this.kick();
    }
    this.emitPlayback();
    return this.playback();
  }

  /** Stops processing, persists everything, closes files. Idempotent. */
  async stop(): Promise<SessionResult> {
    if (this.closedResult) return this.closedResult;
    this.stopped = true;
    // A loop waiting for the next camera image would wait forever.
    this.camera?.end();
    await this.pumping;
    return this.close(this.cursor >= this.end || this.camera ? 'finished' : 'paused');
  }

  /** The whole current map (a copy), or an empty one before the first frame. */
  snapshot(): MapSnapshot | null {
    return this.fusion ? this.fusion.snapshot() : null;
  }

  /** The whole map as one reset map-delta packet (for a renderer that connects mid-session). */
  mapPacket(): Uint8Array {
    const snap = this.fusion?.snapshot();
    if (!snap) return encodeMapDelta(EMPTY_RECORDS, { reset: true, frame: 0, total: 0 });
    return encodeMapDelta(snap, { reset: true, frame: Math.max(0, this.lastFrame), total: snap.count });
  }

  /** Fused 13-class labels rendered from a pose into out (for label accuracy against ground truth). */
  renderLabels(T_world_camera: Mat4, out: Uint8Array): void {
    this.fusion?.renderLabels(T_world_camera, this.frameIntrinsics, out);
  }

  // ---- the loop

  private kick(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = this.pump().finally(() => { this.pumping = null; });
  }

  private reanchor(): void {
    this.anchor = { wall: now(), index: this.cursor };
  }

  private async pump(): Promise<void> {
    this.reanchor();
    try {
      while (!this.stopped && (this.state === 'playing' || this.pendingSteps > 0)) {
        if (this.cursor >= this.end) {
          this.sendUpdates(true);
          if (!this.completed || this.dirty) { this.dirty = false; this.complete(); }
          else { this.state = 'finished'; this.emitPlayback(); }
          return;
        }
        const stepping = this.pendingSteps > 0;
        if (!stepping && this.realtime) {
          const wait = this.pace();
          if (wait > 0) { await sleep(Math.min(wait, 50)); continue; }
        }
        await this.processIndex(this.cursor);
        this.cursor++;
        if (stepping) {
          this.pendingSteps--;
          if (this.pendingSteps === 0) { this.sendUpdates(true); this.emitPlayback(); }
        } else {
          this.sendUpdates(false);
        }
        // Lets commands (pause, seek, stop) in between frames.
        await yieldToMessages();
      }
      if (this.state === 'paused' && !this.stopped) {
        this.sendUpdates(true);
        // Paused, the frames mapped so far are on disk: an export now has the whole trajectory of the map it shows.
        this.writer?.flush();
      }
    } catch (e) {
      if (e instanceof CameraEndedError) return;
      const message = e instanceof Error ? e.message : String(e);
      this.emit({ channel: 'error', payload: { message: `Session stopped: ${message}`, detail: e instanceof Error ? e.stack?.split('\n').slice(0, 4).join('\n') : undefined, fatal: true } }, []);
      await this.close('failed');
    }
  }

  /**
   * Realtime pacing: the frame due now is anchor.index + elapsed·speed/period. Ahead of it → wait (ms returned);
   * behind it → skip the cursor forward to it (frames dropped to keep pace, counted in `skipped`).
   */
  private pace(): number {
    const elapsedS = (now() - this.anchor.wall) / 1000;
    const due = this.anchor.index + Math.floor((elapsedS * this.speed) / this.period);
    if (due < this.cursor) {
      return ((this.cursor - this.anchor.index) * this.period / this.speed - elapsedS) * 1000;
    }
    const target = Math.min(due, this.end - 1);
    if (target > this.cursor) {
      this.skipped += target - this.cursor;
      this.cursor = target;
    }
    return 0;
  }

  private resetMap(): void {
    this.fusion = null;
    this.deltaFusionFrame = -1;
    this.resetPending = true;
    this.trajectory = [];
    this.trajectorySent = 0;
    this.prevStamp = null;
  }

  private async processIndex(index: number): Promise<void> {
    const t0 = now();
    // A bad frame of a replay (missing or corrupt file, wrong size, NaN depth) is flagged, not the end of it.
    const read = await readOrFlag((k) => this.reader.read(k), index);
    const problems = !('rgb' in read) ? [read] : this.camera ? [] : inspectFrame(read, this.reader.info.path, this.reader.info.width, this.reader.info.height);
    for (const p of problems) {
      this.emit({ channel: 'error', payload: { message: `Frame ${p.frame} ${p.mapped ? 'flagged' : 'skipped'} (${p.kind}): ${p.detail}`, fatal: false } }, []);
    }
    if (!('rgb' in read) || problems.some((p) => !p.mapped)) return;
    const frame = downscaleFrame(read, this.options.downscale);
    const t1 = now();
    const p = await this.perception.run(frame, this.ordinal++);
    const t2 = now();
    const firstOfMap = this.fusion === null;
    if (!this.fusion) this.fusion = new SurfelFusion(frame.intrinsics, fusionConfigFor(this.options), this.pool);
    const hint = firstOfMap && this.options.anchorToGroundTruth ? frame.groundTruthPose : undefined;
    const r = this.fusion.processFrame({
      rgb: frame.rgb, depth: p.depth ?? frame.depth, timestamp: frame.timestamp,
      ...(p.classProbs ? { classProbs: p.classProbs } : {}), ...(hint ? { T_world_camera_hint: hint } : {}),
    });
    const t3 = now();
    const stagesMs: Record<string, number> = {
      read: t1 - t0, perception: t2 - t1, preprocess: r.ms.preprocess, predict: r.ms.predict, track: r.ms.track,
      fuse: r.ms.fuse, labels: r.ms.labels, total: t3 - t0,
    };
    // The stored row's total excludes persisting (it is written before the row is committed).
    const record = frameRecord(index, frame.timestamp, r, stagesMs);
    // Written with the network's depth, so that the recording replays in rgbd mode as it was mapped.
    if (this.recorder) await this.recorder.write(p.depth ? { ...frame, depth: p.depth } : frame);
    if (this.writer) {
      this.writer.addFrame(record);
      this.writer.maybeSnapshot(index, () => this.fusion!.snapshot());
    }
    const t4 = now();
    delete stagesMs.total; // re-added last, so it reads last
    stagesMs.persist = t4 - t3;
    stagesMs.total = t4 - t0;
    for (const [k, v] of Object.entries(stagesMs)) this.stageSums[k] = (this.stageSums[k] ?? 0) + v;
    this.busyMs += stagesMs.total;
    this.lastFrame = index;
    if (this.completed) this.dirty = true;
    const trackingOk = r.tracking.ok;
    if (!trackingOk) this.lost++;
    this.processedFrames.push({
      index, timestamp: frame.timestamp, T_world_camera: r.T_world_camera, trackingOk, stagesMs,
      ...(frame.groundTruthPose ? { groundTruthPose: frame.groundTruthPose } : {}),
    });
    if (p.labels13 || p.depth) this.lastPerception = { frame, p };
    else this.lastPerception = { frame, p: this.lastPerception?.p.labels13 ? { labels13: this.lastPerception.p.labels13, ms: 0 } : p };
    this.updatePeriod(index, frame.timestamp);
    // Outside the timed stages: evaluation is not part of the pipeline.
    this.observer?.(frame, p, r);
    // FPS over the last second of wall time.
    const wall = now();
    this.fpsWindow.push(wall);
    while (this.fpsWindow.length > 1 && wall - this.fpsWindow[0] > 1000) this.fpsWindow.shift();
    const span = (wall - this.fpsWindow[0]) / 1000;
    const fps = this.fpsWindow.length > 1 && span > 0 ? (this.fpsWindow.length - 1) / span : 1000 / Math.max(stagesMs.total, 1e-3);
    const tracking: TrackingState = firstOfMap ? 'initialising' : r.status === 'relocalised' ? 'relocalised' : trackingOk ? 'ok' : 'lost';
    // A loop closure moved surfels that changedSince() would not list: the next map delta is a whole snapshot.
    if (r.loopClosure) this.resetPending = true;
    const counts = this.fusion?.counts;
    const stats: FrameStats = {
      frame: index, timestamp: frame.timestamp, stagesMs, fps, surfels: r.stats.surfels, tracking,
      ...(firstOfMap ? {} : { inlierRmse: r.tracking.inlierRmse }),
      ...(counts ? { lostFrames: counts.lost, doubtfulFrames: counts.doubtful, loopClosures: counts.loopClosures } : {}),
    };
    this.emit({ channel: 'frameStats', payload: stats }, []);
    const T = r.T_world_camera;
    this.trajectory.push(T[12], T[13], T[14]);
    const from = this.trajectorySent;
    this.emit({ channel: 'trajectory', payload: {
      from, positions: this.trajectory.slice(3 * from), T_world_camera: Array.from(T), intrinsics: frame.intrinsics,
    } }, []);
    this.trajectorySent = this.trajectory.length / 3;
  }

  private updatePeriod(index: number, timestamp: number): void {
    const prev = this.prevStamp;
    if (prev && index > prev.index && timestamp > prev.timestamp) {
      const p = (timestamp - prev.timestamp) / (index - prev.index);
      // Smoothed: one odd timestamp (a dropped sensor frame) must not jolt the pace.
      this.period = this.processedFrames.length <= 2 ? p : 0.8 * this.period + 0.2 * p;
    }
    this.prevStamp = { index, timestamp };
  }

  /** Map delta and previews, at most updateHz unless forced (pause, step, finish). */
  private sendUpdates(force: boolean): void {
    const wall = now();
    if (!this.fusion || (!force && wall - this.lastUpdateWall < 1000 / this.options.updateHz)) return;
    if (!this.resetPending && this.fusion.frameIndex === this.deltaFusionFrame) return;
    this.lastUpdateWall = wall;
    const changed = this.resetPending ? this.fusion.snapshot(this.displayFilter) : this.fusion.changedSince(this.deltaFusionFrame, this.displayFilter);
    const packets = encodeMapDeltaParts(changed, {
      reset: this.resetPending, frame: Math.max(0, this.lastFrame), total: this.fusion.surfelCount, removedIds: changed.removedIds,
    });
    this.resetPending = false;
    this.deltaFusionFrame = this.fusion.frameIndex;
    for (const packet of packets) this.emit({ channel: 'mapDelta', payload: { packet: packet as Uint8Array<ArrayBuffer> } }, [packet.buffer as ArrayBuffer]);
    for (const preview of this.previews()) this.emit({ channel: 'preview', payload: preview }, [preview.data.buffer as ArrayBuffer]);
  }

  private previews(): Preview[] {
    const last = this.lastPerception;
    if (!last) return [];
    const { frame, p } = last;
    const { width: w, height: h } = frame;
    const size = previewSize(w, h, DEFAULT_PREVIEW_OPTIONS.maxWidth);
    const small = (img: Uint8Array): Uint8Array<ArrayBuffer> => downsample(img, w, h, 3, size.width, size.height) as Uint8Array<ArrayBuffer>;
    const make = (kind: Preview['kind'], img: Uint8Array): Preview => ({ frame: frame.index, kind, width: size.width, height: size.height, format: 'rgb8', data: small(img) });
    const out: Preview[] = [make('rgb', frame.rgb)];
    out.push(make('depth', colorMapDepth(p.depth ?? frame.depth, DEFAULT_PREVIEW_OPTIONS.maxDepth, new Uint8Array(w * h * 3))));
    if (p.labels13) out.push(make('segmentation', overlaySegmentation(frame.rgb, p.labels13, PALETTE13, DEFAULT_PREVIEW_OPTIONS.overlayAlpha, new Uint8Array(w * h * 3))));
    return out;
  }

  private emitPlayback(): void {
    this.emit({ channel: 'playback', payload: this.playback() }, []);
  }

  timings(): TimingsSummary {
    const n = this.processedFrames.length;
    const meanMs: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.stageSums)) meanMs[k] = n > 0 ? v / n : 0;
    return { frames: n, fps: this.busyMs > 0 ? (1000 * n) / this.busyMs : 0, meanMs };
  }

  private result(status: SessionResult['status']): SessionResult {
    return {
      info: this.info, status, processed: this.processedFrames.length, skipped: this.skipped, lost: this.lost,
      timings: this.timings(), surfels: this.fusion?.surfelCount ?? 0,
    };
  }

  /**
   * The end of the source: everything is persisted (status 'finished', final snapshot) and `finished` resolves,
   * but files stay open: the user may still seek back and map again, until stop().
   */
  private complete(): void {
    const result = this.result('finished');
    this.writer?.finish('finished', result.timings, this.lastFrame, this.fusion ? () => this.fusion!.snapshot() : undefined);
    this.completed = true;
    this.state = 'finished';
    this.emitPlayback();
    this.resolveFinished(result);
  }

  /** Stop or failure: persists what is not yet, closes the store and the network. */
  private async close(status: SessionResult['status']): Promise<SessionResult> {
    if (this.closedResult) return this.closedResult;
    const result = this.result(status);
    this.closedResult = result;
    this.stopped = true;
    this.state = status === 'failed' ? 'error' : 'finished';
    try {
      // A completed session has everything on disk already (unless it was sought back into and mapped again).
      if (!this.completed || this.dirty) {
        this.writer?.finish(status, result.timings, this.lastFrame, this.fusion ? () => this.fusion!.snapshot() : undefined);
      }
    } finally {
      this.store?.close();
      this.camera?.end();
      try {
        await this.recorder?.close();
      } finally {
        this.pool.close();
        await this.reader.close?.();
        await this.perception.dispose();
      }
    }
    this.emitPlayback();
    this.resolveFinished(result);
    return result;
  }
}

const EMPTY_RECORDS = {
  count: 0, ids: new Uint32Array(0), positions: new Float32Array(0), normals: new Float32Array(0), colors: new Uint8Array(0),
  radii: new Float32Array(0), confidence: new Float32Array(0), labels: new Uint8Array(0),
};

function frameRecord(index: number, timestamp: number, r: FrameResult, ms: Record<string, number>): FrameRecord {
  return {
    frameIndex: index, timestamp, T_world_camera: r.T_world_camera, trackingOk: r.tracking.ok, trackingLost: r.tracking.lost,
    inlierRmse: Number.isFinite(r.tracking.inlierRmse) ? r.tracking.inlierRmse : null,
    inlierRatio: Number.isFinite(r.tracking.inlierRatio) ? r.tracking.inlierRatio : null,
    surfels: r.stats.surfels, ms: { ...ms },
  };
}
