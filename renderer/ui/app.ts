/**
 * The app: wires the AppClient (Electron bridge or WebSocket) to the viewer and the panels.
 * Events normalised by the client arrive here already validated.
 */
import type { AppEvent, PlaybackState, ReplayCamera, ReplayMode, SessionSummary } from '../../main/contract/channels.js';
import { ExportFormatSchema } from '../../main/contract/channels.js';
import type { AppClient } from '../../main/contract/client.js';
import { decodeMapDelta } from '../../main/contract/mapDelta.js';
import type { MapDelta } from '../../main/contract/mapDelta.js';
import { Viewer } from '../scene/viewer.js';
import { COLOR_MODES } from '../scene/surfelLayer.js';
import type { ColorMode } from '../scene/surfelLayer.js';
import { NAVIGATION_MODES } from '../scene/navigation.js';
import type { NavigationMode } from '../scene/navigation.js';
import { CameraPanel } from './cameraPanel.js';
import { byId, el } from './dom.js';
import { Legend } from './legend.js';
import { SourceCameraFields } from './sourceCamera.js';
import { drawPreview } from './previews.js';

/** Applying map updates: at most this long per task (ms), in chunks of records. */
const APPLY_SLICE_MS = 6;
const APPLY_CHUNK = 8192;

export class App {
  readonly viewer: Viewer;
  private readonly legend: Legend;
  private playback: PlaybackState | null = null;
  private scrubbing = false;
  /** A whole-map request after a delta disagreed with the view is under way; how many there were. */
  private resyncing = false;
  private resyncs = 0;
  private readonly camera: CameraPanel;
  private readonly sourceCamera: SourceCameraFields;

  constructor(private readonly client: AppClient) {
    this.viewer = new Viewer(byId<HTMLCanvasElement>('view'));
    this.legend = new Legend(byId('legend'), (k, visible) => {
      const classVisible = [...this.viewer.surfels.settings.classVisible];
      classVisible[k] = visible;
      this.viewer.surfels.setSettings({ classVisible });
      this.viewer.invalidate();
    });
    this.sourceCamera = new SourceCameraFields();
    this.bindControls();
    this.camera = new CameraPanel(client, {
      showError: (m) => this.showError(m), showNotice: (m) => this.showNotice(m), setPlayback: (p) => this.setPlayback(p),
    });
    client.onEvent((e) => {
      const t0 = performance.now();
      this.onEvent(e);
      const ms = performance.now() - t0;
      if (ms > (this.longestEventMs[e.channel] ?? 0)) this.longestEventMs[e.channel] = ms;
    });
    client.onConnection?.((s) => {
      byId('connection').textContent = s;
      if (s === 'disconnected') this.showError('Lost the connection to semslam. Restart `semslam serve` and reload this page.');
    });
    void this.initialSync();
  }

  private async initialSync(): Promise<void> {
    // The map is applied the moment it arrives: deltas that follow it on the socket are newer than it.
    const map = this.client.request('getMap', { parts: true }).then((r) => { if (r.ok) this.applyPacket(r.value.packet); });
    const [pb, sessions] = await Promise.all([this.client.request('getPlayback', {}), this.client.request('listSessions', {}), map]);
    byId('connection').textContent = 'connected';
    if (pb.ok) this.setPlayback(pb.value);
    if (sessions.ok) this.setSessions(sessions.value.sessions);
  }

  /**
   * Every delta says how many surfels the map holds after it. A view that disagrees missed something (it should
   * not happen; the server resyncs clients that fall behind): it asks for the whole map instead of staying wrong.
   */
  private checkTotal(total: number): void {
    if (this.viewer.store.count === total || this.resyncing) return;
    console.warn(`semslam: the view holds ${this.viewer.store.count} surfels, the map ${total}: fetching the whole map`);
    this.resyncing = true;
    this.resyncs++;
    byId('status-surfels').dataset.resyncs = String(this.resyncs);
    void this.client.request('getMap', { parts: true }).then((r) => {
      this.resyncing = false;
      if (r.ok) this.applyPacket(r.value.packet);
    });
  }

  private async call<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T | null> {
    const r = await promise;
    if (!r.ok) {
      this.showError(r.error.message);
      return null;
    }
    return r.value;
  }

  private bindControls(): void {
    byId('demo').addEventListener('click', () => void this.startReplay('demo'));
    byId('replay').addEventListener('click', () => void this.replay());
    const playbackButton = (id: string, fn: () => Promise<{ ok: true; value: PlaybackState } | { ok: false; error: { message: string } }>): void =>
      byId(id).addEventListener('click', async () => {
        const v = await this.call(fn());
        if (v) this.setPlayback(v);
      });
    playbackButton('play', () => this.client.request('play', {}));
    playbackButton('pause', () => this.client.request('pause', {}));
    playbackButton('step', () => this.client.request('step', {}));
    byId<HTMLSelectElement>('speed').addEventListener('change', (e) => {
      void this.call(this.client.request('setSpeed', { speed: Number((e.target as HTMLSelectElement).value) }));
    });
    const timeline = byId<HTMLInputElement>('timeline');
    timeline.addEventListener('input', () => (this.scrubbing = true));
    timeline.addEventListener('change', async () => {
      this.scrubbing = false;
      const v = await this.call(this.client.request('seek', { frame: Number(timeline.value) }));
      if (v) this.setPlayback(v);
    });
    for (const format of ExportFormatSchema.options) {
      byId(`export-${format}`).addEventListener('click', async () => {
        const r = await this.call(this.client.request('exportMap', { format }));
        if (!r) return;
        this.showNotice(`Exported ${r.surfels.toLocaleString('en-US')} surfels${format === 'mcap' ? ` and ${r.poses.toLocaleString('en-US')} poses` : ''} to ${r.path}`);
        // Web mode: the browser also gets the file (the server's export folder is the only one it serves).
        if (this.client.exportDownloadUrl) {
          // download='' keeps the name the server gives (Content-Disposition).
          const a = el('a', { href: this.client.exportDownloadUrl(r.path), download: '' });
          document.body.append(a);
          a.click();
          a.remove();
        }
      });
    }

    const colorMode = byId<HTMLSelectElement>('color-mode');
    for (const m of COLOR_MODES) colorMode.append(el('option', { value: m, textContent: m }));
    colorMode.addEventListener('change', () => {
      this.viewer.surfels.setSettings({ colorMode: colorMode.value as ColorMode });
      this.viewer.invalidate();
    });
    const pointSize = byId<HTMLInputElement>('point-size');
    pointSize.addEventListener('input', () => {
      this.viewer.surfels.setSettings({ pointScale: Number(pointSize.value) });
      this.viewer.invalidate();
    });
    const budget = byId<HTMLSelectElement>('moving-budget');
    budget.value = String(this.viewer.surfels.settings.movingBudget);
    budget.addEventListener('change', () => this.viewer.surfels.setSettings({ movingBudget: Number(budget.value) }));
    const nav = byId<HTMLSelectElement>('navigation');
    for (const m of NAVIGATION_MODES) nav.append(el('option', { value: m, textContent: m }));
    nav.addEventListener('change', () => {
      const eye = new Float32Array(3);
      this.viewer.navigation.view(new Float32Array(16), eye);
      this.viewer.navigation.setMode(nav.value as NavigationMode, eye);
      this.viewer.invalidate();
    });
    byId<HTMLInputElement>('show-trajectory').addEventListener('change', (e) => {
      this.viewer.trajectory.setSettings({ visible: (e.target as HTMLInputElement).checked });
      this.viewer.overlaysChanged();
    });
    byId<HTMLInputElement>('show-frustum').addEventListener('change', (e) => {
      this.viewer.frustum.setSettings({ visible: (e.target as HTMLInputElement).checked });
      this.viewer.overlaysChanged();
    });
    byId('frame-map').addEventListener('click', () => this.viewer.frameOnMap());
    byId('screenshot').addEventListener('click', async () => {
      const blob = await this.viewer.screenshot();
      const a = el('a', { href: URL.createObjectURL(blob), download: `semslam-${new Date().toISOString().replace(/[:.]/g, '-')}.png` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
  }

  /** Replays the recording in the source path with the camera fields (the Replay button, File › Open). */
  private async replay(): Promise<void> {
    const path = byId<HTMLInputElement>('source-path').value.trim();
    if (!path) return this.showError('Type the path of a recording first: a sequence folder (NYU raw, TUM, 7-Scenes, ICL-NUIM, Redwood), a ROS 2 bag (.mcap) or a .klg log.');
    const fields = await this.sourceCamera.read();
    if (!fields.ok) return this.showError(fields.message);
    await this.startReplay(path, fields.camera);
  }

  private async startReplay(source: string, camera?: ReplayCamera): Promise<void> {
    this.clearErrors();
    const mode = byId<HTMLSelectElement>('mode').value as ReplayMode;
    const realtime = byId<HTMLInputElement>('realtime').checked;
    const r = await this.client.request('startReplay', { source, mode, realtime, ...(camera ? { camera } : {}) });
    if (!r.ok) {
      this.showError(r.error.message);
      this.sourceCamera.markError(r.error.message);
      return;
    }
    this.setPlayback(r.value.playback);
  }

  private onEvent(e: AppEvent): void {
    switch (e.channel) {
      case 'mapDelta':
        this.applyPacket(e.payload.packet);
        break;
      case 'frameStats': {
        const s = e.payload;
        byId('status-frame').textContent = String(s.frame);
        byId('status-fps').textContent = s.fps.toFixed(1);
        byId('status-tracking').textContent = s.tracking + (s.inlierRmse !== undefined ? ` (rmse ${(s.inlierRmse * 1000).toFixed(1)} mm)` : '')
          + (s.loopClosures !== undefined ? `, loops ${s.loopClosures}, lost ${s.lostFrames ?? 0}, not fused ${s.doubtfulFrames ?? 0}` : '');
        // Playback events come on state changes only: the frame shown beside the state follows every frame.
        if (this.playback && s.frame > this.playback.frame) this.setPlayback({ ...this.playback, frame: s.frame });
        const table = byId('stages');
        table.replaceChildren(...Object.entries(s.stagesMs).map(([k, ms]) => el('tr', {}, el('td', { textContent: k }), el('td', { textContent: `${ms.toFixed(1)} ms` }))));
        break;
      }
      case 'preview':
        void drawPreview(byId<HTMLCanvasElement>(`preview-${e.payload.kind}`), e.payload);
        break;
      case 'trajectory':
        this.viewer.trajectory.update(e.payload.from, e.payload.positions);
        this.viewer.frustum.update(e.payload.T_world_camera, e.payload.intrinsics);
        this.viewer.navigation.tracked = e.payload.T_world_camera;
        // Follow navigation moves with the camera: the viewer sees the view change by itself.
        this.viewer.overlaysChanged();
        break;
      case 'playback':
        this.setPlayback(e.payload);
        break;
      case 'sessions':
        this.setSessions(e.payload.sessions);
        break;
      case 'error':
        this.showError(e.payload.message, e.payload.detail);
        break;
      case 'uiCommand':
        if (e.payload.command === 'openCamera') this.camera.reveal();
        if (e.payload.command === 'replay') {
          byId<HTMLInputElement>('source-path').value = e.payload.source;
          void this.replay();
        }
        break;
    }
  }

  /** Longest time one step of applying map updates held the page (ms), for the tests and the benchmark. */
  longestApplyMs = 0;
  /** Longest handling of one event per channel (ms). */
  readonly longestEventMs: Record<string, number> = {};
  /** Map updates received and not yet applied, oldest first; the first may be partly applied (`applied` records). */
  private readonly deltas: MapDelta[] = [];
  private applied = -1;
  private readonly applyChannel = new MessageChannel();
  private applyScheduled = false;

  /**
   * Queues a map update. Updates are applied in order, a few milliseconds at a time, each step its own task: a
   * 640×480 frame's update (hundreds of thousands of surfels) never holds the page, and status messages that
   * arrive meanwhile are shown between steps.
   */
  private applyPacket(packet: Uint8Array): void {
    const d = decodeMapDelta(packet);
    if (!d.ok) return this.showError(`Could not read a map update: ${d.message}`);
    this.deltas.push(d.value);
    this.scheduleApply();
  }

  private scheduleApply(): void {
    if (this.applyScheduled) return;
    this.applyScheduled = true;
    this.applyChannel.port1.onmessage = () => this.applySome();
    this.applyChannel.port2.postMessage(null);
  }

  private applySome(): void {
    this.applyScheduled = false;
    const t0 = performance.now();
    const store = this.viewer.store;
    while (this.deltas.length > 0 && performance.now() - t0 < APPLY_SLICE_MS) {
      const d = this.deltas[0];
      if (this.applied < 0) {
        store.begin(d);
        this.applied = 0;
      }
      const to = Math.min(d.count, this.applied + APPLY_CHUNK);
      store.applyRecords(d, this.applied, to);
      this.applied = to;
      if (to < d.count) continue;
      store.finish(d);
      this.deltas.shift();
      this.applied = -1;
      if (!d.more) this.checkTotal(d.total);
    }
    byId('status-surfels').textContent = store.count.toLocaleString('en-US');
    byId('status-surfels').dataset.count = String(store.count);
    this.legend.update(store.classCounts);
    this.viewer.frameOnMapOnce();
    this.viewer.mapUpdated();
    this.longestApplyMs = Math.max(this.longestApplyMs, performance.now() - t0);
    if (this.deltas.length > 0) this.scheduleApply();
  }

  private setPlayback(p: PlaybackState): void {
    this.playback = p;
    const timeline = byId<HTMLInputElement>('timeline');
    timeline.max = String(Math.max(0, p.frames - 1));
    if (!this.scrubbing) timeline.value = String(Math.max(0, p.frame));
    const state = byId('playback-state');
    state.textContent = `${p.state} · frame ${Math.max(0, p.frame + 1)}${p.frames ? ` / ${p.frames}` : ''} · ${p.speed}×`;
    state.dataset.state = p.state;
  }

  private setSessions(sessions: SessionSummary[]): void {
    const list = byId('sessions');
    list.replaceChildren(...sessions.map((s) => {
      const name = el('span', { className: 'name', textContent: s.name, title: `${s.source} · ${s.frames} frames · ${s.surfels} surfels` });
      const open = el('button', { textContent: 'Open' });
      open.addEventListener('click', () => void this.call(this.client.request('openSession', { id: s.id })));
      const rename = el('button', { textContent: 'Rename' });
      // Inline editing: window.prompt() does not exist in Electron.
      rename.addEventListener('click', () => {
        const input = el('input', { value: s.name });
        name.replaceWith(input);
        input.focus();
        let finished = false;
        const done = (commit: boolean): void => {
          if (finished) return; // Enter/Escape, then the blur that removing the input causes
          finished = true;
          const n = input.value.trim();
          input.replaceWith(name);
          if (commit && n && n !== s.name) void this.call(this.client.request('renameSession', { id: s.id, name: n }));
        };
        input.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') done(true);
          if (e.key === 'Escape') done(false);
        });
        input.addEventListener('blur', () => done(true), { once: true });
      });
      const del = el('button', { textContent: 'Delete' });
      del.addEventListener('click', () => {
        if (confirm(`Delete session "${s.name}"?`)) void this.call(this.client.request('deleteSession', { id: s.id }));
      });
      const li = el('li', {}, name, open, rename, del);
      if (this.playback?.sessionId === s.id) li.className = 'current';
      return li;
    }));
  }

  private showError(message: string, detail?: string): void {
    const box = byId('errors');
    box.textContent = message;
    box.title = detail ?? message;
    box.dataset.kind = 'error';
  }

  private showNotice(message: string): void {
    const box = byId('errors');
    box.textContent = message;
    box.dataset.kind = 'notice';
  }

  private clearErrors(): void {
    byId('errors').textContent = '';
  }
}
