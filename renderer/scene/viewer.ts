/**
 * The 3D view: a regl context on a canvas, the layers, navigation, and a redraw-on-demand loop (nothing is drawn
 * while nothing changed, which matters with a software GL).
 *
 * Surfels are drawn off-screen and the canvas shows the newest finished image ("front") with the trajectory and
 * frustum over it. While the view moves, the front is redrawn every frame at the light level of detail. Full detail
 * is drawn progressively into a second image ("back"), a time-boxed slice of slots per animation frame
 * (progressive.ts), and swapped in when it is whole: a map of any size, on any GPU, never holds the page for more
 * than a slice. Map updates while the view is still start the next pass when the current one is done; the front
 * keeps showing the last whole map meanwhile. Where WebGL2 is there (Chromium, Electron), the page never waits for
 * the GPU: a fence tells when a slice is done and the next one follows it (gpuFence.ts); on WebGL1 a 1-pixel read
 * waits, as before.
 */
import createREGL from 'regl';
import type { DrawCommand, Framebuffer2D, Regl, Texture2D } from 'regl';
import { mat4, vec3 } from 'gl-matrix';
import { SurfelStore } from './surfelStore.js';
import { SurfelLayer } from './surfelLayer.js';
import { TrajectoryLayer } from './trajectoryLayer.js';
import { FrustumLayer } from './frustumLayer.js';
import { Navigation } from './navigation.js';
import { ProgressivePass } from './progressive.js';
import { asWebGl1ForRegl, GpuFence } from './gpuFence.js';
import { MOVING_TARGET_MS } from './lod.js';

export interface ViewerStats {
  /** Milliseconds of the last draw (CPU submit; with `finish` also GPU), lower is better. */
  lastDrawMs: number;
  draws: number;
}

/** How long after the last navigation input the view counts as still moving. */
const SETTLE_MS = 250;
const BACKGROUND: [number, number, number, number] = [0.08, 0.09, 0.11, 1];
/** A software rasteriser draws a point a few times faster than an instanced splat: caps a light image's cost. */
const POINTS_PER_SPLAT = 3;

/** An off-screen image of the surfels and what it shows. */
interface Image {
  fbo: Framebuffer2D;
  color: Texture2D;
  width: number;
  height: number;
  /** The view (projection × view) it was drawn for. */
  viewProjection: Float32Array;
  /** The surfel settings version it was drawn with. */
  look: number;
  /** Map version and surfel count it shows. */
  mapVersion: number;
  count: number;
  /** Every surfel, in full detail (else the light level of detail). */
  full: boolean;
}

export class Viewer {
  readonly store = new SurfelStore();
  readonly regl: Regl;
  readonly surfels: SurfelLayer;
  readonly trajectory: TrajectoryLayer;
  readonly frustum: FrustumLayer;
  readonly navigation = new Navigation();
  readonly stats: ViewerStats = { lastDrawMs: 0, draws: 0 };
  readonly progressive = new ProgressivePass();
  private readonly frame: { projection: mat4; view: mat4; eye: vec3; moving: boolean; viewportHeight: number } = {
    projection: mat4.create(), view: mat4.create(), eye: vec3.create(), moving: false, viewportHeight: 1,
  };
  private readonly viewProjection = new Float32Array(16);
  private front: Image;
  private back: Image;
  private readonly composite: DrawCommand;
  /** Bumped when the map changes (mapUpdated) and when the surfels' look changes (invalidate). */
  private mapVersion = 0;
  private look = 0;
  /** Navigation input until this time (ms): draw the lighter level of detail; full detail once it has passed. */
  private movingUntil = 0;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The canvas must be composed again (front changed, overlays changed, resized). */
  private needsComposite = true;
  private raf = 0;
  private disposed = false;
  private framedOnce = false;
  private readonly syncPixel = new Uint8Array(4);
  /** draw(…, moving=true) asked for the light image: keep it until the view, the look or the map changes. */
  private holdLight = false;

  /** Tells when measured GPU work is done without waiting (WebGL2); null on WebGL1, where a pixel read waits. */
  private readonly fence: GpuFence | null;
  /** How the page learns that measured GPU work is done: a WebGL2 fence (it never waits) or a pixel read (it waits). */
  get gpuWait(): 'fence' | 'read' {
    return this.fence ? 'fence' : 'read';
  }
  /** Bumped when a pass is abandoned or restarted: a slice that completes after that is not the pass's. */
  private passGeneration = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    // Kept so a screenshot (toBlob) reads what is on screen.
    const attributes = { preserveDrawingBuffer: true, antialias: false, depth: false };
    const extensions = { extensions: ['ANGLE_instanced_arrays'], optionalExtensions: ['OES_element_index_uint'] };
    const gl2 = canvas.getContext('webgl2', attributes) as WebGL2RenderingContext | null;
    this.regl = gl2 ? createREGL({ gl: asWebGl1ForRegl(gl2), ...extensions }) : createREGL({ canvas, attributes, ...extensions });
    this.fence = gl2 ? new GpuFence(gl2) : null;
    this.surfels = new SurfelLayer(this.regl, this.store);
    this.trajectory = new TrajectoryLayer(this.regl);
    this.frustum = new FrustumLayer(this.regl);
    this.front = this.createImage();
    this.back = this.createImage();
    this.composite = this.regl({
      vert: 'precision mediump float; attribute vec2 p; varying vec2 uv; void main() { uv = 0.5 * (p + 1.0); gl_Position = vec4(p, 0.0, 1.0); }',
      frag: 'precision mediump float; uniform sampler2D image; varying vec2 uv; void main() { gl_FragColor = texture2D(image, uv); }',
      attributes: { p: [-1, -1, 3, -1, -1, 3] },
      count: 3,
      uniforms: { image: () => this.front.color },
      depth: { enable: false },
    });
    this.attachInput();
    const loop = (): void => {
      if (this.disposed) return;
      this.tick();
      this.raf = requestAnimationFrame(loop);
    };
    this.raf = requestAnimationFrame(loop);
  }

  /** The surfels' look changed (colours, sizes, visible classes): a new light image now, full detail after. */
  invalidate(): void {
    this.look++;
    this.needsComposite = true;
    this.canvas.dataset.detail = 'partial';
  }

  /** Only what is drawn over the surfels changed (trajectory, frustum). */
  overlaysChanged(): void {
    this.needsComposite = true;
  }

  /** The full-detail image on screen is of the current map, view and look (nothing is left to draw). */
  get complete(): boolean {
    return this.front.full && this.front.mapVersion === this.mapVersion && this.front.look === this.look && !this.progressive.active
      && performance.now() >= this.movingUntil;
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
    this.needsComposite = true;
    this.canvas.dataset.detail = 'partial';
  }

  /** The map changed: the next full-detail pass draws it (the one under way also draws the slots added). */
  mapUpdated(): void {
    this.mapVersion++;
    this.canvas.dataset.detail = 'partial';
  }

  /** The user moved the view: draw light while input keeps coming, then full detail, progressively. */
  moved(): void {
    this.movingUntil = performance.now() + SETTLE_MS;
    this.needsComposite = true;
    this.canvas.dataset.detail = 'partial';
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => { this.settleTimer = null; this.needsComposite = true; }, SETTLE_MS + 5);
  }

  /** Longest time (ms) each part of a frame held the page since the last reset (for the benchmark and tests). */
  readonly longest = { light: 0, slice: 0, compose: 0, tick: 0 };

  /** One animation frame: at most a light image or one slice of full detail, then the canvas if anything changed. */
  private tick(): void {
    const now = performance.now();
    this.tickInner(now);
    const l = this.longest;
    l.tick = Math.max(l.tick, performance.now() - now);
  }

  private tickInner(now: number): void {
    const moving = now < this.movingUntil;
    this.prepareFrame(moving);
    const count = this.store.count;
    const p = this.progressive;
    const stale = (image: Image): boolean => !sameMatrix(image.viewProjection, this.viewProjection) || image.look !== this.look;
    if (p.active && stale(this.back)) this.abortPass();
    const frontStale = stale(this.front);
    const mapChanged = this.front.mapVersion !== this.mapVersion;
    if (this.holdLight && (frontStale || mapChanged || moving)) this.holdLight = false;
    // A pass that fits in a slice needs no light image first; a map that outgrew the front image gets one at once.
    const oneSlice = p.estimateMs(count) <= p.sliceMs;
    const frontTooSparse = this.front.count * 1.5 < count && !oneSlice;
    let drewLight = false;
    // While measured work is on the GPU, a moving light image (also measured) waits for it: no backlog.
    const gpuBusy = this.fence?.busy ?? false;
    if (!(moving && gpuBusy) && (moving ? frontStale || mapChanged : (frontStale && (!oneSlice || p.active)) || (frontTooSparse && mapChanged))) {
      const t = performance.now();
      this.drawLightImage(moving);
      this.longest.light = Math.max(this.longest.light, performance.now() - t);
      drewLight = true;
    }
    // A slice waits for the GPU: after a light image it would wait for that too, so it is the next frame's.
    if (!moving && !drewLight && !gpuBusy && !this.holdLight && p.ready(now) && (p.active || frontStale || mapChanged || !this.front.full)) this.drawSlice(now);
    if (this.needsComposite) {
      const t = performance.now();
      this.composeCanvas();
      this.longest.compose = Math.max(this.longest.compose, performance.now() - t);
    }
    this.canvas.dataset.detail = this.complete ? 'full' : 'partial';
  }

  /** Canvas size, matrices and the light/full flag for this frame. */
  private prepareFrame(moving: boolean): void {
    const w = Math.max(1, Math.round(this.canvas.clientWidth * devicePixelRatio));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * devicePixelRatio));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    if (this.front.width !== w || this.front.height !== h) {
      for (const image of [this.front, this.back]) {
        image.fbo.resize(w, h);
        image.width = w;
        image.height = h;
        image.viewProjection.fill(0); // nothing valid in it any more
        image.full = false;
        image.count = 0;
      }
      this.abortPass();
      this.needsComposite = true;
    }
    this.regl.poll();
    const f = this.frame;
    f.moving = moving;
    f.viewportHeight = h;
    this.navigation.projection(f.projection, w / h);
    this.navigation.view(f.view, f.eye);
    mat4.multiply(this.viewProjection as unknown as mat4, f.projection, f.view);
  }

  /** The light level of detail into the front image, its cost bounded by what full detail was measured to cost. */
  private drawLightImage(moving: boolean, capped = true): void {
    const cap = Math.max(1, this.progressive.splatsPerMs * MOVING_TARGET_MS * POINTS_PER_SPLAT);
    const t0 = performance.now();
    this.front.fbo.use(() => {
      this.regl.clear({ color: BACKGROUND, depth: 1 });
      this.surfels.drawLight(this.frame, capped ? cap : Infinity);
    });
    this.stamp(this.front, false);
    this.needsComposite = true;
    // Its true cost (rasterised) sizes the next light image, and the next waits for it: no backlog of light images
    // builds up in the GPU for a slice (or the next input) to wait behind.
    if (!moving) return;
    this.whenDrawn(this.front, t0, (ms) => this.surfels.observeMovingFrame(ms));
  }

  /**
   * Calls done with the GPU time of the work submitted since t0 into target: later through the fence, or now
   * after a 1-pixel read that waits for it (WebGL1). Returns whether done ran now.
   */
  private whenDrawn(target: Image, t0: number, done: (ms: number) => void): boolean {
    if (this.fence?.track(t0, done)) return false;
    target.fbo.use(() => this.regl.read({ x: 0, y: 0, width: 1, height: 1, data: this.syncPixel }));
    done(performance.now() - t0);
    return true;
  }

  private abortPass(): void {
    this.progressive.abort();
    this.passGeneration++;
  }

  /** One time-boxed slice of the full-detail pass into the back image; swapped to the front when whole. */
  private drawSlice(now: number): void {
    const p = this.progressive;
    const count = this.store.count;
    if (!p.active) {
      p.start(this.mapVersion, now);
      this.passGeneration++;
      this.stamp(this.back, false);
      this.back.fbo.use(() => this.regl.clear({ color: BACKGROUND, depth: 1 }));
    }
    const [from, to] = p.slice(count);
    const t0 = performance.now();
    const generation = this.passGeneration;
    this.back.fbo.use(() => this.surfels.drawSlots(this.frame, from, to));
    // How long the page was held: the submission when a fence tells the end, the whole slice when a read waits.
    this.longest.slice = Math.max(this.longest.slice, performance.now() - t0);
    // The slice's true cost (rasterised) sizes the next one, which waits for it: no backlog builds up in the GPU.
    const done = (ms: number): void => {
      // The pass was abandoned (the view moved, the canvas resized) while the GPU drew this slice.
      if (generation !== this.passGeneration || !p.active) return;
      this.sliceDone(from, to, ms);
    };
    if (this.whenDrawn(this.back, t0, done)) this.longest.slice = Math.max(this.longest.slice, performance.now() - t0);
  }

  private sliceDone(from: number, to: number, ms: number): void {
    const p = this.progressive;
    this.stats.lastDrawMs = ms;
    this.stats.draws++;
    if (!p.drew(to, to - from, ms, this.store.count, performance.now())) return;
    // Slots still waiting for their upload were drawn stale: shown (it is newer than the front), and drawn again.
    this.back.mapVersion = this.store.dirty ? -1 : p.mapVersion;
    this.back.count = this.store.count;
    this.back.full = true;
    [this.front, this.back] = [this.back, this.front];
    this.needsComposite = true;
  }

  private stamp(image: Image, full: boolean): void {
    image.viewProjection.set(this.viewProjection);
    image.look = this.look;
    image.mapVersion = this.mapVersion;
    image.count = this.store.count;
    image.full = full;
  }

  /** The canvas: the front image, the trajectory and the frustum over it. */
  private composeCanvas(): void {
    this.needsComposite = false;
    this.regl.clear({ color: BACKGROUND });
    this.composite();
    this.trajectory.draw(this.frame);
    this.frustum.draw(this.frame);
  }

  /**
   * Draws now, whole, for the benchmark and the tests: `moving` true draws the light level of detail, false full
   * detail in one go (no slicing); with `finish` waits until the frame is rasterised, so the time is the whole frame.
   */
  draw(finish = false, moving = false): number {
    const t0 = performance.now();
    this.prepareFrame(moving);
    this.surfels.sync(Infinity);
    this.holdLight = moving;
    if (moving) {
      this.drawLightImage(false, false);
    } else {
      this.abortPass();
      this.back.fbo.use(() => {
        this.regl.clear({ color: BACKGROUND, depth: 1 });
        this.surfels.drawSlots(this.frame, 0, this.store.count);
      });
      this.stamp(this.back, true);
      [this.front, this.back] = [this.back, this.front];
    }
    this.composeCanvas();
    // gl.finish() returns before Chromium's GPU process has drawn; reading a pixel waits for it.
    if (finish) this.regl.read({ x: 0, y: 0, width: 1, height: 1, data: this.syncPixel });
    this.stats.lastDrawMs = performance.now() - t0;
    if (moving && finish) this.surfels.observeMovingFrame(this.stats.lastDrawMs);
    this.stats.draws++;
    return this.stats.lastDrawMs;
  }

  private createImage(): Image {
    const color = this.regl.texture({ width: 1, height: 1, min: 'nearest', mag: 'nearest' });
    const fbo = this.regl.framebuffer({ color, depth: true, stencil: false });
    return { fbo, color, width: 1, height: 1, viewProjection: new Float32Array(16), look: -1, mapVersion: -1, count: 0, full: false };
  }

  screenshot(): Promise<Blob> {
    this.draw(false, false);
    return new Promise((resolve, reject) => this.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('screenshot failed'))), 'image/png'));
  }

  dispose(): void {
    this.disposed = true;
    this.fence?.dispose();
    cancelAnimationFrame(this.raf);
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.surfels.dispose();
    this.trajectory.dispose();
    this.frustum.dispose();
    this.front.fbo.destroy();
    this.back.fbo.destroy();
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
    new ResizeObserver(() => (this.needsComposite = true)).observe(c);
  }
}

function sameMatrix(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
