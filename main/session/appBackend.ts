import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AppBackend } from '../contract/backend.js';
import { BackendError } from '../contract/backend.js';
import type { AppEvent, PlaybackState, ReplayCamera, RequestOf, ResponseOf, SessionSummary } from '../contract/channels.js';
import { REPLAY_CAMERA_FIELDS } from '../contract/channels.js';
import { encodeMapDelta } from '../contract/mapDelta.js';
import { InputError } from '../errors.js';
import { exportSession, framesUpTo, sessionMetadata } from '../export/exportSession.js';
import type { StoredMap } from '../store/mapCodec.js';
import { resolveDatabasePath } from '../store/paths.js';
import type { SessionRecord } from '../store/records.js';
import { SessionStore } from '../store/sessionStore.js';
import { cameraSpecOf, parseCameraFile, type CameraSpec } from '../sources/cameraSpec.js';
import { parseColourCamera, type ColourCamera } from '../sources/colourRegistration.js';
import { calibratedIntrinsics, intrinsicsFromFov } from '../sources/liveCamera.js';
import { DEMO_SEQUENCE_SPEC } from './openSource.js';
import { DEFAULT_MODEL_FILE, type SessionOptions } from './options.js';
import { PipelineSession } from './pipelineSession.js';

export interface AppBackendOptions {
  /** Sessions database file; the default (~/.local/share/semslam/sessions.db) when absent. */
  readonly database?: string;
  /** Overrides for every session this backend starts (tests use a lower resolution). */
  readonly session?: Partial<SessionOptions>;
  /** Where exportMap writes when the request has no path (default: `exports/` beside the database). */
  readonly exportDir?: string;
  /** Where camera recordings go (default: `recordings/` beside the database). */
  readonly recordingDir?: string;
}

/** Where exports without a path go: `exports/` beside the session database. */
export function defaultExportDir(database: string): string {
  return join(dirname(database), 'exports');
}

/** Field of view assumed for a camera without calibration: typical of webcams (60–70° horizontally). */
export const DEFAULT_CAMERA_FOV_DEG = 60;

const EMPTY_PACKET = encodeMapDelta(
  { count: 0, ids: [], positions: [], normals: [], colors: [], radii: [], confidence: [], labels: [] },
  { reset: true, frame: 0, total: 0 },
) as Uint8Array<ArrayBuffer>;

/** What the user sees: a replay in progress, a stored session opened for viewing, or nothing. */
type Active =
  | { readonly kind: 'none' }
  | { readonly kind: 'live'; readonly session: PipelineSession; readonly off: () => void; readonly camera: boolean }
  | { readonly kind: 'stored'; readonly record: SessionRecord; readonly map: StoredMap | null; readonly frame: number };

function toBackendError(e: unknown): never {
  if (e instanceof BackendError) throw e;
  if (e instanceof InputError) {
    const code = /not found|no such|no session/.test(e.problem) ? 'not-found' : 'failed';
    throw new BackendError(code, e.message);
  }
  throw e;
}

/**
 * The AppBackend of the app (Electron and web mode): sessions from the SQLite store, replays run by a
 * PipelineSession in a worker thread, events forwarded as they come. One replay at a time: starting another
 * (or opening a stored session) stops the current one, which stays in the store.
 */
class SessionBackend implements AppBackend {
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private active: Active = { kind: 'none' };
  private readonly database: string;

  constructor(private readonly options: AppBackendOptions) {
    this.database = resolveDatabasePath(options.database);
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    await this.stopActive();
  }

  // ---- sessions

  async listSessions(): Promise<ResponseOf<'listSessions'>> {
    return { sessions: this.summaries() };
  }

  async openSession({ id }: RequestOf<'openSession'>): Promise<ResponseOf<'openSession'>> {
    // Resolve first (a bad id must not end the running replay), then stop the replay so that everything it
    // mapped is on disk (it may be the session being opened), then read.
    const target = this.withStore('readonly', (s) => s.resolve(id));
    await this.stopActive();
    const { record, latest, frames } = this.withStore('readonly', (s) => {
      const record = s.get(target.id);
      if (!record) throw new BackendError('not-found', `Session ${id} no longer exists.`);
      return { record, latest: s.loadLatestMap(record.id), frames: s.frames(record.id) };
    });
    this.active = { kind: 'stored', record, map: latest?.map ?? null, frame: latest?.info.frameIndex ?? -1 };
    const map = latest?.map;
    if (map) {
      const packet = encodeMapDelta({ ...map, ids: map.ids ?? Uint32Array.from({ length: map.count }, (_, i) => i + 1) },
        { reset: true, frame: Math.max(0, latest.info.frameIndex), total: map.count }) as Uint8Array<ArrayBuffer>;
      this.send({ channel: 'mapDelta', payload: { packet } });
    } else {
      this.send({ channel: 'mapDelta', payload: { packet: EMPTY_PACKET } });
    }
    if (frames.length > 0) {
      const last = frames[frames.length - 1];
      this.send({ channel: 'trajectory', payload: {
        from: 0, positions: frames.flatMap((f) => [f.T_world_camera[12], f.T_world_camera[13], f.T_world_camera[14]]),
        T_world_camera: Array.from(last.T_world_camera), intrinsics: record.intrinsics,
      } });
    }
    this.send({ channel: 'playback', payload: this.storedPlayback() });
    return { session: this.summary(record, latest?.map.count ?? 0) };
  }

  async renameSession({ id, name }: RequestOf<'renameSession'>): Promise<ResponseOf<'renameSession'>> {
    const session = this.withStore('readwrite', (s) => {
      const r = s.rename(s.resolve(id).id, name);
      return this.storedSummary(s, r);
    });
    this.sendSessions();
    return { session };
  }

  async deleteSession({ id }: RequestOf<'deleteSession'>): Promise<ResponseOf<'deleteSession'>> {
    const target = this.withStore('readonly', (s) => s.resolve(id));
    if (this.activeId() === target.id) await this.stopActive();
    this.withStore('readwrite', (s) => s.delete(target.id));
    this.sendSessions();
    return { deleted: true };
  }

  // ---- replay

  async startReplay(r: RequestOf<'startReplay'>): Promise<ResponseOf<'startReplay'>> {
    // Everything is checked before the running session is stopped: a request that cannot start ends nothing.
    const source = r.source === 'demo' ? DEMO_SEQUENCE_SPEC : resolve(r.source);
    if (r.source !== 'demo' && !existsSync(source)) throw new BackendError('not-found', `No RGB-D sequence at ${source}: the folder does not exist.`);
    const camera = r.camera ? replayCameraSpec(r.camera) : undefined;
    const colourCamera = r.camera?.colourCamera !== undefined ? replayColourCamera(r.camera.colourCamera) : undefined;
    if ((camera || colourCamera) && r.source === 'demo') throw new BackendError('invalid-request', 'The demo scene has its own camera: the camera, depth scale and colour camera fields apply to a recording.');
    if (r.mode === 'rgb') this.requireModel('RGB-only mode');
    const base = this.options.session?.sourceOptions;
    return this.startSession({
      source, mode: r.mode, pacing: r.realtime ? 'realtime' : 'everyFrame', paused: r.paused ?? false,
      ...(camera || colourCamera ? { sourceOptions: { ...base, ...(camera ? { camera } : {}), ...(colourCamera ? { colourCamera } : {}) } } : {}),
    }, false);
  }

  // ---- live camera

  async startCamera(r: RequestOf<'startCamera'>): Promise<ResponseOf<'startCamera'>> {
    // Checked before stopping what runs: a request that cannot start must not end the current session.
    if (r.mode !== 'rgb') {
      throw new BackendError('invalid-request', 'A camera gives colour only, no depth: live mapping runs in RGB mode, where the network predicts depth. Choose RGB mode.');
    }
    if (r.calibration && r.intrinsics) throw new BackendError('invalid-request', 'give the camera\'s intrinsics or a calibration file, not both');
    const calibrated = r.calibration ? liveCalibration(r.calibration, r.width, r.height) : undefined;
    this.requireModel('Live camera mapping');
    const intrinsics = calibrated?.intrinsics ?? (r.intrinsics
      ? { width: r.width, height: r.height, ...r.intrinsics }
      : intrinsicsFromFov(r.width, r.height, r.fovDeg ?? DEFAULT_CAMERA_FOV_DEG));
    const label = r.device?.trim() || 'camera';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const recordDir = r.record
      ? join(this.options.recordingDir ?? join(dirname(this.database), 'recordings'), `${label.replace(/[^\w.-]+/g, '_').slice(0, 40)}-${stamp}`)
      : null;
    const { session, playback } = await this.startSession({
      source: 'camera', mode: 'rgb', pacing: 'everyFrame', paused: false, camera: { label, intrinsics, recordDir, ...(calibrated ? { warnings: calibrated.warnings } : {}) },
    }, true);
    return { session, playback, recording: recordDir };
  }

  async cameraFrame(r: RequestOf<'cameraFrame'>): Promise<ResponseOf<'cameraFrame'>> {
    const a = this.active;
    if (a.kind !== 'live' || !a.camera) throw new BackendError('not-found', 'No camera session is running: start the camera first.');
    // The request's bytes may be a view into a larger message buffer; the worker needs a buffer of its own.
    const rgb = new Uint8Array(r.rgb);
    try {
      return await a.session.pushCameraImage({ timestamp: r.timestamp, width: r.width, height: r.height, rgb });
    } catch (e) {
      if (e instanceof InputError) throw new BackendError('invalid-request', e.message);
      throw e;
    }
  }

  async stopCamera(): Promise<ResponseOf<'stopCamera'>> {
    const a = this.active;
    if (a.kind !== 'live' || !a.camera) throw new BackendError('not-found', 'No camera session is running.');
    const id = a.session.info.sessionId;
    const recording = a.session.info.recording;
    await this.stopActive();
    this.sendSessions();
    const session = this.withStore('readonly', (s) => {
      const rec = s.get(Number(id));
      if (!rec) throw new BackendError('failed', 'the camera session was not recorded in the database');
      return this.storedSummary(s, rec);
    });
    return { session, recording };
  }

  private requireModel(what: string): void {
    const model = this.options.session?.modelFile ?? DEFAULT_MODEL_FILE;
    if (!existsSync(model)) {
      throw new BackendError('unavailable', `${what} needs the joint network, and ${resolve(model)} does not exist. Use RGB-D mode, or train and export the model.`);
    }
  }

  private async startSession(options: Partial<SessionOptions>, camera: boolean): Promise<{ session: SessionSummary; playback: PlaybackState }> {
    await this.stopActive();
    let session: PipelineSession;
    try {
      session = await PipelineSession.start({ ...this.options.session, ...options, database: this.database });
    } catch (e) {
      if (e instanceof InputError && /model file not found/.test(e.problem)) throw new BackendError('unavailable', e.message);
      toBackendError(e);
    }
    const off = session.onEvent((e) => this.send(e));
    this.active = { kind: 'live', session, off, camera };
    this.sendSessions();
    const playback = await session.playback();
    const record = this.withStore('readonly', (s) => s.get(Number(session.info.sessionId)));
    if (!record) throw new BackendError('failed', 'the session was not recorded in the database');
    return { session: this.summary(record, 0), playback };
  }

  async play(): Promise<PlaybackState> { return this.live().play(); }
  async pause(): Promise<PlaybackState> { return this.live().pause(); }
  async step({ frames }: RequestOf<'step'>): Promise<PlaybackState> { return this.live().step(frames ?? 1); }
  async setSpeed({ speed }: RequestOf<'setSpeed'>): Promise<PlaybackState> { return this.live().setSpeed(speed); }

  async seek({ frame }: RequestOf<'seek'>): Promise<PlaybackState> {
    try {
      return await this.live().seek(frame);
    } catch (e) {
      if (e instanceof RangeError || (e instanceof Error && e.name === 'RangeError')) throw new BackendError('invalid-request', e.message);
      throw e;
    }
  }

  async getPlayback(): Promise<PlaybackState> {
    if (this.active.kind === 'live') return this.active.session.playback().catch(() => this.idlePlayback());
    if (this.active.kind === 'stored') return this.storedPlayback();
    return this.idlePlayback();
  }

  async getMap(): Promise<ResponseOf<'getMap'>> {
    if (this.active.kind === 'live') return { packet: (await this.active.session.mapPacket()) as Uint8Array<ArrayBuffer> };
    const map = await this.currentMap();
    if (!map) return { packet: EMPTY_PACKET };
    const ids = map.ids ?? Uint32Array.from({ length: map.count }, (_, i) => i + 1);
    return { packet: encodeMapDelta({ ...map, ids }, { reset: true, frame: 0, total: map.count }) as Uint8Array<ArrayBuffer> };
  }

  /**
   * The map of what is on screen (a replay in progress or an opened session); as MCAP also its trajectory,
   * the poses the session has saved (a replay commits them every second and when it pauses). An export that cannot be
   * written is an error naming the path and the reason; the session itself is not touched.
   */
  async exportMap({ format, path }: RequestOf<'exportMap'>): Promise<ResponseOf<'exportMap'>> {
    const map = await this.currentMap();
    if (!map || map.count === 0) throw new BackendError('not-found', 'There is no map to export yet: start or open a session first.');
    const id = this.activeId();
    const dir = this.options.exportDir ?? defaultExportDir(this.database);
    const out = path ? resolve(path) : join(dir, `session-${id ?? 'map'}-${Date.now()}.${format}`);
    let frames: ReturnType<SessionStore['frames']> = [];
    let session: Record<string, string> | undefined;
    if (format === 'mcap' && id !== null) {
      const a = this.active;
      ({ frames, session } = this.withStore('readonly', (s) => {
        const record = s.get(id);
        const all = s.frames(id);
        return {
          frames: a.kind === 'stored' ? framesUpTo(all, a.frame) : all,
          session: record ? sessionMetadata(record, a.kind === 'stored' ? a.frame : all.at(-1)?.frameIndex ?? -1) : undefined,
        };
      }));
    }
    try {
      await mkdir(dirname(out), { recursive: true }).catch((e: unknown) => {
        throw new InputError(out, `cannot write the export: cannot create its folder ${dirname(out)} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      });
      const r = await exportSession(out, { map, frames }, {
        format, encoding: 'binary', comments: id !== null ? [`session ${id}`] : [], ...(session ? { session } : {}),
      });
      return { path: r.path, bytes: r.bytes, surfels: r.surfels, poses: r.poses };
    } catch (e) {
      if (e instanceof InputError) throw new BackendError('failed', `${e.message}. The session is unchanged; choose another place.`);
      throw e;
    }
  }

  // ---- helpers

  private live(): PipelineSession {
    if (this.active.kind !== 'live') throw new BackendError('not-found', 'No replay is running: start one first.');
    return this.active.session;
  }

  private async currentMap(): Promise<StoredMap | null> {
    if (this.active.kind === 'live') return this.active.session.snapshot().catch(() => null);
    if (this.active.kind === 'stored') return this.active.map;
    return null;
  }

  private activeId(): number | null {
    if (this.active.kind === 'live') return this.active.session.info.sessionId;
    if (this.active.kind === 'stored') return this.active.record.id;
    return null;
  }

  private async stopActive(): Promise<void> {
    const a = this.active;
    this.active = { kind: 'none' };
    if (a.kind === 'live') {
      try {
        await a.session.stop();
      } catch (e) {
        // A session whose worker already ended has nothing left to stop; anything else is worth saying.
        if (!(e instanceof Error && /has ended|worker exited/.test(e.message))) {
          this.send({ channel: 'error', payload: { message: `Stopping the session failed: ${e instanceof Error ? e.message : String(e)}`, fatal: false } });
        }
      }
      a.off();
    }
  }

  private idlePlayback(): PlaybackState {
    return { state: 'idle', sessionId: null, source: null, mode: 'rgbd', frame: -1, frames: 0, speed: 1, realtime: false };
  }

  private storedPlayback(): PlaybackState {
    if (this.active.kind !== 'stored') return this.idlePlayback();
    const r = this.active.record;
    return { state: 'finished', sessionId: String(r.id), source: r.source, mode: r.mode, frame: this.active.frame, frames: r.frameCount, speed: 1, realtime: false };
  }

  private summary(r: SessionRecord, surfels: number): SessionSummary {
    return { id: String(r.id), name: r.name, createdAt: new Date(r.created).toISOString(), source: r.source, mode: r.mode, frames: r.frameCount, surfels };
  }

  /** A stored session's summary, with the surfel count of its newest snapshot. */
  private storedSummary(s: SessionStore, r: SessionRecord): SessionSummary {
    return this.summary(r, s.snapshots(r.id)[0]?.count ?? 0);
  }

  private summaries(): SessionSummary[] {
    if (!existsSync(this.database)) return [];
    return this.withStore('readonly', (s) => s.list().map((r) => this.storedSummary(s, r)));
  }

  private sendSessions(): void {
    this.send({ channel: 'sessions', payload: { sessions: this.summaries() } });
  }

  /** Short-lived connections: the worker holds its own while it writes; WAL lets both work at once. */
  private withStore<T>(access: 'readonly' | 'readwrite', f: (s: SessionStore) => T): T {
    if (access === 'readonly' && !existsSync(this.database)) throw new BackendError('not-found', 'No sessions have been recorded yet.');
    let store: SessionStore | undefined;
    try {
      store = SessionStore.open(this.database, { access, check: false });
      return f(store);
    } catch (e) {
      return toBackendError(e);
    } finally {
      store?.close();
    }
  }

  private send(e: AppEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // Listeners must not throw (contract); one that does must not stop the others.
      }
    }
  }
}

/** The camera panel's calibration file through the shared camera-file parser; its errors are invalid requests naming the file. */
function liveCalibration(file: { name: string; text: string }, width: number, height: number): ReturnType<typeof calibratedIntrinsics> {
  try {
    return calibratedIntrinsics(file, width, height);
  } catch (e) {
    if (e instanceof InputError) throw new BackendError('invalid-request', e.message);
    throw e;
  }
}

/**
 * The open dialog's camera as a CameraSpec, through the CLI's own parsers; bad input is an invalid request
 * whose message starts with the field's name (REPLAY_CAMERA_FIELDS) or the calibration file's.
 */
function replayCameraSpec(c: ReplayCamera): CameraSpec | undefined {
  try {
    return cameraSpecOf({
      ...(c.calibration ? { calibration: parseCameraFile(c.calibration.name, c.calibration.text) } : {}),
      ...(c.preset !== undefined ? { preset: c.preset } : {}),
      ...(c.intrinsics !== undefined ? { intrinsics: c.intrinsics } : {}),
      ...(c.depthScale !== undefined ? { depthScale: c.depthScale } : {}),
    }, REPLAY_CAMERA_FIELDS);
  } catch (e) {
    if (e instanceof InputError) throw new BackendError('invalid-request', e.message);
    throw e;
  }
}

/** The open dialog's colour camera through --colour-camera's parser; its errors start with the field's name. */
function replayColourCamera(text: string): ColourCamera | 'none' {
  try {
    const c = parseColourCamera(text, REPLAY_CAMERA_FIELDS.colourCamera);
    return c === 'none' ? c : { ...c, source: 'the colour camera typed in the open dialog' };
  } catch (e) {
    if (e instanceof InputError) throw new BackendError('invalid-request', e.message);
    throw e;
  }
}

export async function createAppBackend(options: AppBackendOptions = {}): Promise<AppBackend> {
  return new SessionBackend(options);
}
