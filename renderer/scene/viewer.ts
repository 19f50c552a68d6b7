/**
 * The 3D view: a regl context on a canvas, the layers, navigation, and a redraw-on-demand loop
 * (nothing is drawn while nothing changed, which matters with a software GL).
 */
import createREGL from 'regl';
import type { Regl } from 'regl';
import { mat4, vec3 } from 'gl-matrix';
import { SurfelStore } from './surfelStore.js';
import { SurfelLayer } from './surfelLayer.js';
import { TrajectoryLayer } from './trajectoryLayer.js';
import { FrustumLayer } from './frustumLayer.js';
import { Navigation } from './navigation.js';
import type { FrameContext } from './layer.js';

export interface ViewerStats {
  /** Milliseconds of the last draw (CPU submit; with `finish` also GPU), lower is better. */
  lastDrawMs: number;
  draws: number;
}

/** How long after the last navigation input the view counts as still moving. */
const SETTLE_MS = 250;

export class Viewer {
  readonly store = new SurfelStore();
  readonly regl: Regl;
  readonly surfels: SurfelLayer;
  readonly trajectory: TrajectoryLayer;
  readonly frustum: FrustumLayer;
  readonly navigation = new Navigation();
  readonly stats: ViewerStats = { lastDrawMs: 0, draws: 0 };
  private readonly frame: { projection: mat4; view: mat4; eye: vec3; moving: boolean; viewportHeight: number } = {
    projection: mat4.create(), view: mat4.create(), eye: vec3.create(), moving: false, viewportHeight: 1,
  };
  /** Navigation input until this time (ms): draw the lighter level of detail; full detail once it has passed. */
  private movingUntil = 0;
  /** When the previous frame was a moving one: its start (ms), else 0. */
  private lastMovingAt = 0;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private needsDraw = true;
  private raf = 0;
  private disposed = false;
  private framedOnce = false;
  private readonly syncPixel = new Uint8Array(4);

  constructor(readonly canvas: HTMLCanvasElement) {
    this.regl = createREGL({
      canvas,
      extensions: ['ANGLE_instanced_arrays'],
      optionalExtensions: ['OES_element_index_uint'],
      // Kept so a screenshot (toBlob) reads what is on screen.
      attributes: { preserveDrawingBuffer: true, antialias: true },
    });
    this.surfels = new SurfelLayer(this.regl, this.store);
    this.trajectory = new TrajectoryLayer(this.regl);
    this.frustum = new FrustumLayer(this.regl);
    this.attachInput();
    const loop = (): void => {
      if (this.disposed) return;
      if (this.needsDraw) this.draw();
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
  }

  invalidate(): void {
    this.needsDraw = true;
  }

  /** Frames the view on the map once, when the first surfels arrive. */
  frameOnMapOnce(): void {
    if (this.framedOnce || this.store.count === 0) return;
    this.frameOnMap();
    this.framedOnce = true;
  }

  frameOnMap(): void {
    const s = this.store;
    if (s.count === 0) return;
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < s.count; i++) {
      for (let c = 0; c < 3; c++) {
        const v = s.positions[3 * i + c];
        if (v < min[c]) min[c] = v;
        if (v > max[c]) max[c] = v;
      }
    }
    this.navigation.frame(min, max);
    this.invalidate();
  }

  /**
   * The map changed. A map beyond the moving budget streaming updates in draws light too (every full redraw of
   * it may take longer than the updates' interval), and in full once the updates pause.
   */
  mapUpdated(): void {
    if (this.store.count > this.surfels.settings.movingBudget && this.surfels.settings.movingBudget > 0) this.moved();
    else this.invalidate();
  }

  /** The user moved the view: draw light while input keeps coming, then once more in full detail. */
  moved(): void {
    this.movingUntil = performance.now() + SETTLE_MS;
    this.invalidate();
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => { this.settleTimer = null; this.invalidate(); }, SETTLE_MS + 5);
  }

  /**
   * Draws now; with `finish` waits until the frame is rasterised, so the time is the whole frame. `moving`
   * forces the navigation level of detail on (true) or off (false); by default it follows the user's input.
   */
  draw(finish = false, moving?: boolean): number {
    const t0 = performance.now();
    this.needsDraw = false;
    const w = this.canvas.clientWidth * devicePixelRatio;
    const h = this.canvas.clientHeight * devicePixelRatio;
    if (this.canvas.width !== Math.round(w) || this.canvas.height !== Math.round(h)) {
      this.canvas.width = Math.max(1, Math.round(w));
      this.canvas.height = Math.max(1, Math.round(h));
    }
    this.regl.poll();
    const f = this.frame;
    f.moving = moving ?? performance.now() < this.movingUntil;
    f.viewportHeight = this.canvas.height;
    this.navigation.projection(f.projection, this.canvas.width / Math.max(1, this.canvas.height));
    this.navigation.view(f.view, f.eye);
    this.regl.clear({ color: [0.08, 0.09, 0.11, 1], depth: 1 });
    const ctx: FrameContext = f;
    this.surfels.draw(ctx);
    this.trajectory.draw(ctx);
    this.frustum.draw(ctx);
    // gl.finish() returns before Chromium's GPU process has drawn; reading a pixel waits for it.
    if (finish) this.regl.read({ x: 0, y: 0, width: 1, height: 1, data: this.syncPixel });
    this.stats.lastDrawMs = performance.now() - t0;
    // A moving frame's cost: the synchronised time when known, else the interval since the previous moving frame
    // (requestAnimationFrame waits for the GPU, so the interval includes its work).
    if (f.moving) {
      const interval = this.lastMovingAt > 0 ? t0 - this.lastMovingAt : 0;
      if (finish) this.surfels.observeMovingFrame(this.stats.lastDrawMs);
      else if (interval > 0 && interval < 2000) this.surfels.observeMovingFrame(interval);
      this.lastMovingAt = t0;
    } else {
      this.lastMovingAt = 0;
    }
    this.stats.draws++;
    return this.stats.lastDrawMs;
  }

  screenshot(): Promise<Blob> {
    this.draw();
    return new Promise((resolve, reject) => this.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('screenshot failed'))), 'image/png'));
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.raf);
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.surfels.dispose();
    this.trajectory.dispose();
    this.frustum.dispose();
    this.regl.destroy();
  }

  private attachInput(): void {
    const c = this.canvas;
    let last: { x: number; y: number } | null = null;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('pointerdown', (e) => {
      last = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointerup', () => (last = null));
    c.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.navigation.drag(e.clientX - last.x, e.clientY - last.y, e.shiftKey || (e.buttons & 2) !== 0);
      last = { x: e.clientX, y: e.clientY };
      this.moved();
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.navigation.wheel(e.deltaY);
      this.moved();
    }, { passive: false });
    c.tabIndex = 0;
    c.addEventListener('keydown', (e) => {
      if (this.navigation.key(e.key)) this.moved();
    });
    new ResizeObserver(() => this.invalidate()).observe(c);
  }
}
