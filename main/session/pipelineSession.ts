import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MapSnapshot } from '../../fusion/types.js';
import type { AppEvent, PlaybackState } from '../contract/channels.js';
import type { CameraImage, PushResult } from '../sources/liveCamera.js';
import { fromWireError } from '../errors.js';
import type { SessionOptions } from './options.js';
import type { WorkerCommand, WorkerInit, WorkerMessage, WorkerReplyValue } from './protocol.js';
import type { SessionInfo, SessionResult } from './sessionLoop.js';

type Listener = (event: AppEvent) => void;

/** Events kept for listeners that attach later (start() buffers from the first message). */
const MAX_BACKLOG = 256;
type CommandBody = WorkerCommand extends infer C ? C extends { id: number } ? Omit<C, 'id'> : never : never;

/**
 * The worker runs TypeScript sources. `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on
 * Node 20, so the worker starts from a tiny ES module (a data: URL) that registers tsx's hooks, then imports the
 * real entry. tsx is resolved from this package, not from the cwd.
 */
function workerBootstrap(): URL {
  // The ESM build of tsx's API (require.resolve would give the CommonJS one).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const source = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * A running pipeline session: source → perception → fusion → store in a worker thread, driven from here.
 *
 *   const s = await PipelineSession.start({ source: 'demo', mode: 'rgbd', database: file });
 *   s.onEvent((e) => ...);          // frameStats, mapDelta, preview, trajectory, playback, error
 *   await s.pause(); await s.step(5); await s.seek(100); await s.setSpeed(2); await s.play();
 *   const result = await s.finished; // or await s.stop()
 *
 * Events are buffered from the worker's first message, so a listener added right after start() sees them all.
 */
export class PipelineSession {
  private readonly listeners = new Set<Listener>();
  private readonly backlog: AppEvent[] = [];
  private readonly pending = new Map<number, { resolve: (v: WorkerReplyValue) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited = false;
  /** Resolves with the session's result when it ends (finished, stopped or failed). */
  readonly finished: Promise<SessionResult>;

  private constructor(private readonly worker: Worker, readonly info: SessionInfo, backlog: AppEvent[], finished: Promise<SessionResult>) {
    this.backlog = backlog;
    this.finished = finished;
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
  }

  static start(options: Partial<SessionOptions>): Promise<PipelineSession> {
    const init: WorkerInit = { options };
    const worker = new Worker(workerBootstrap(), { workerData: init });
    const backlog: AppEvent[] = [];
    let resolveFinished!: (r: SessionResult) => void;
    let rejectFinished!: (e: Error) => void;
    const finished = new Promise<SessionResult>((res, rej) => { resolveFinished = res; rejectFinished = rej; });
    finished.catch(() => undefined);
    return new Promise((resolve, reject) => {
      let session: PipelineSession | null = null;
      const early = (m: WorkerMessage): void => {
        if (m.kind === 'event') backlog.push(m.event);
        else if (m.kind === 'failed') { reject(fromWireError(m.error)); void worker.terminate(); }
        else if (m.kind === 'finished') resolveFinished(m.result);
        else if (m.kind === 'ready') {
          worker.off('message', early);
          session = new PipelineSession(worker, m.info, backlog, finished);
          worker.on('message', (msg: WorkerMessage) => { if (msg.kind === 'finished') resolveFinished(msg.result); });
          resolve(session);
        }
      };
      worker.on('message', early);
      worker.on('error', (e) => { reject(e); rejectFinished(e); session?.failAll(e); });
      worker.on('exit', (code) => {
        const e = new Error(`session worker exited (code ${code})`);
        if (session) session.exited = true;
        reject(e);
        rejectFinished(e);
        session?.failAll(e);
      });
    });
  }

  /** Adds a listener; it first receives every event buffered so far. Returns the remover. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    for (const e of this.backlog) listener(e);
    return () => this.listeners.delete(listener);
  }

  play(): Promise<PlaybackState> { return this.call({ op: 'play' }) as Promise<PlaybackState>; }
  pause(): Promise<PlaybackState> { return this.call({ op: 'pause' }) as Promise<PlaybackState>; }
  playback(): Promise<PlaybackState> { return this.call({ op: 'playback' }) as Promise<PlaybackState>; }
  step(frames = 1): Promise<PlaybackState> { return this.call({ op: 'step', frames }) as Promise<PlaybackState>; }
  seek(frame: number): Promise<PlaybackState> { return this.call({ op: 'seek', frame }) as Promise<PlaybackState>; }
  setSpeed(speed: number): Promise<PlaybackState> { return this.call({ op: 'setSpeed', speed }) as Promise<PlaybackState>; }
  /** The whole current map as one reset map-delta packet. */
  mapPacket(): Promise<Uint8Array> { return this.call({ op: 'mapPacket' }) as Promise<Uint8Array>; }
  /** A copy of the whole current map, or null before the first frame. */
  snapshot(): Promise<MapSnapshot | null> { return this.call({ op: 'snapshot' }) as Promise<MapSnapshot | null>; }

  /**
   * Live camera sessions: the newest image for the pipeline (an unread older one is dropped). The image's
   * bytes move to the worker: `image.rgb` must own its whole buffer and is unusable here afterwards.
   */
  pushCameraImage(image: CameraImage): Promise<PushResult> {
    const { rgb } = image;
    if (rgb.byteOffset !== 0 || rgb.byteLength !== rgb.buffer.byteLength) {
      throw new RangeError('pushCameraImage: rgb must own its whole buffer (copy views before pushing)');
    }
    return this.call({ op: 'pushCameraImage', image }, [rgb.buffer as ArrayBuffer]) as Promise<PushResult>;
  }

  /** Stops the pipeline, persists what it has, ends the worker. */
  async stop(): Promise<SessionResult> {
    if (this.exited) return this.finished;
    const result = (await this.call({ op: 'stop' })) as SessionResult;
    await this.worker.terminate();
    return result;
  }

  private call(body: CommandBody, transfer: ArrayBuffer[] = []): Promise<WorkerReplyValue> {
    if (this.exited) return Promise.reject(new Error('the session has ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WorkerCommand, transfer);
    });
  }

  private onMessage(m: WorkerMessage): void {
    if (m.kind === 'event') {
      this.backlog.push(m.event);
      // Bounded: a late listener needs the recent state, not every packet of a long session.
      if (this.backlog.length > MAX_BACKLOG) this.backlog.splice(0, this.backlog.length - MAX_BACKLOG);
      for (const l of this.listeners) l(m.event);
    } else if (m.kind === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromWireError(m.error));
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
