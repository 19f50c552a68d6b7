/**
 * Relocalisation and loop closure (ElasticFusion's, with one change of map correction, see README):
 *
 * - A pose graph (pose-graph.ts) gets a node every `poseGraphNodeEvery` fused frames; surfels are anchored to the
 *   node current at their creation. Randomised ferns (ferns.ts) keep keyframes, each relative to its node.
 * - Local loop: every `loopCheckEvery` fused frames the inactive map (surfels not seen for `activeWindow` frames)
 *   is rendered from the current pose; when it covers enough of the frame, the frame is registered against it.
 *   A good registration that disagrees with the tracked pose is a loop: an edge between the node that anchors
 *   most of the inactive surfels seen and the current node, the graph is optimised with everything up to the
 *   older node fixed, and every surfel moves with its node. The inactive surfels that agree with the frame
 *   become active again (so the revisited place is fused into, not duplicated).
 * - Global loop: when no inactive surfels are in view, the ferns' most similar old keyframe gives a pose to
 *   render the inactive map from and register against (drift beyond ICP's reach).
 * - Relocalisation: a lost frame is registered against the whole map rendered from its most similar keyframes.
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import type { FusionConfig } from './config.js';
import type { FrameLevel } from './preprocessor.js';
import { ModelPredictor } from './model-predictor.js';
import type { IcpTracker, TrackingResult } from './icp-tracker.js';
import { LOOP_TIGHT_GATE, LOOP_WIDE_GATE, LoopRegistration } from './loop-registration.js';
import type { SurfelMap, SurfelFilter } from './surfel-map.js';
import { FernDatabase } from './ferns.js';
import { PoseGraph } from './pose-graph.js';
import { invertRigid, mulPose, poseDistance } from './se3.js';
import type { KernelPool } from './parallel/pool.js';
import { depthSigma } from './surfel-fuser.js';

export interface LoopClosureEvent {
  readonly kind: 'local' | 'global';
  /** Frame the loop closed at and the frame of the older node it closed against. */
  readonly frame: number;
  readonly toFrame: number;
  /** How far the current pose moved (m, degrees). */
  readonly correctionM: number;
  readonly correctionDeg: number;
  /** Surfels moved by the map correction. */
  readonly surfelsMoved: number;
  /** Pose-graph optimisation time (ms) and the whole correction's. */
  readonly optimiseMs: number;
  readonly ms: number;
}

export interface Registration {
  /** null when the render covered too little of the frame to register against. */
  readonly tracking: TrackingResult | null;
  /** Fraction of the frame's valid pixels the rendered model covers. */
  readonly coverage: number;
}

/** A loop registration that moved the pose more than this (m) is refined from a render at its result. */
const LOOP_REFINE_FROM = 0.02;

export class LoopCloser {
  readonly graph = new PoseGraph();
  readonly ferns: FernDatabase;
  readonly predictor: ModelPredictor;
  readonly events: LoopClosureEvent[] = [];
  /** What the loop checks found: run, registered (enough inactive map in view), accepted, closed. */
  readonly checks = { run: 0, registered: 0, accepted: 0, global: 0, closed: 0 };
  private readonly codes: Uint8Array;
  /** Frame whose fern encoding `codes` holds (afterFuse encodes every fused frame; a check right after reuses it). */
  private codesFrame = -1;
  private lastNodeFrame = -Infinity;
  private fusedSinceCheck = 0;
  private readonly m1 = new Float64Array(16);
  private readonly m2 = new Float64Array(16);
  private readonly m3 = new Float64Array(16);
  private anchorVotes = new Int32Array(64);
  /** Made on first use from the frame tracker's options (its last stage tracks the same way). */
  private registration: LoopRegistration | null = null;

  constructor(private readonly c: FusionConfig, private readonly intrinsics: Intrinsics, private readonly levels: number,
    private readonly pool: KernelPool) {
    this.ferns = new FernDatabase({ ferns: c.fernCount, minDepth: Math.max(c.minDepth, 0.3), maxDepth: c.maxDepth, keyframeThreshold: c.fernKeyframeThreshold });
    this.codes = new Uint8Array(c.fernCount);
    this.predictor = new ModelPredictor(intrinsics, levels, c.maxSplatRadiusPx, c.predictSplatScale, pool);
  }

  private registrationFor(tracker: IcpTracker): LoopRegistration {
    if (!this.registration) {
      const c = this.c, t = tracker.options;
      this.registration = new LoopRegistration({
        levels: this.levels, base: t, wideDistance: LOOP_WIDE_GATE.distance, wideAngleDeg: LOOP_WIDE_GATE.angleDeg,
        wideHuber: LOOP_WIDE_GATE.huber, tightDistance: LOOP_TIGHT_GATE.distance, tightHuber: t.icpHuber,
        maxTranslation: c.loopMaxCorrection, maxRotationDeg: c.loopMaxCorrectionDeg,
      }, this.pool);
    }
    this.registration.photometricWeight = tracker.rgbWeight;
    return this.registration;
  }

  get currentNode(): number { return this.graph.size - 1; }

  /** Camera pose of a keyframe in the current (possibly corrected) map. */
  keyframePose(node: number, T_node_camera: Mat4, out: Mat4 = new Float64Array(16)): Mat4 {
    if (node >= 0) return mulPose(out, this.graph.poses[node], T_node_camera);
    out.set(T_node_camera);
    return out;
  }

  /**
   * Before fusing a frame at pose T: opens a new node every poseGraphNodeEvery frames (with an odometry edge from
   * the previous one) and tells the map which node new surfels belong to.
   */
  beforeFuse(map: SurfelMap, T: Mat4, frame: number): void {
    if (frame - this.lastNodeFrame < this.c.poseGraphNodeEvery && this.graph.size > 0) return;
    const n = this.graph.addNode(T, frame);
    if (n > 0) this.graph.addRelativeEdge(n - 1, n, 1, 'odometry');
    this.lastNodeFrame = frame;
    map.anchorForNew = n;
  }

  /** After fusing: the frame may become a fern keyframe (when it looks unlike every keyframe so far). */
  afterFuse(rgb: Uint8Array, depth: Float32Array, T: Mat4, frame: number): void {
    const k = this.intrinsics;
    this.ferns.encode(rgb, depth, k.width, k.height, this.codes);
    this.codesFrame = frame;
    const node = this.currentNode;
    invertRigid(this.m1, this.graph.poses[node]);
    mulPose(this.m2, this.m1, T);
    this.ferns.addIfNovel(this.codes, frame, node, this.m2);
    this.fusedSinceCheck++;
  }

  /** Whether a loop check is due (every loopCheckEvery fused frames, once the map has inactive parts). */
  checkDue(frame: number): boolean {
    return this.c.loopClosure && this.fusedSinceCheck >= this.c.loopCheckEvery && frame > this.c.activeWindow;
  }

  private inactiveFilter(frame: number): SurfelFilter {
    const c = this.c;
    return {
      minLastUpdate: -Infinity, maxLastUpdate: frame - c.activeWindow, minConfidence: c.stableConfidence, frontFacing: true,
      minDepth: c.minDepth, maxDepth: c.maxDepth * 1.2, borderPx: 0,
    };
  }

  private wholeMapFilter(): SurfelFilter {
    const c = this.c;
    return { minLastUpdate: -Infinity, minConfidence: c.stableConfidence, frontFacing: true, minDepth: c.minDepth, maxDepth: c.maxDepth * 1.2, borderPx: 0 };
  }

  /** Renders the map (through `filter`) from T; the fraction of the frame's valid pixels it covers (0: nothing rendered). */
  private render(map: SurfelMap, frame: readonly FrameLevel[], T: Mat4, filter: SurfelFilter): number {
    if (this.predictor.predict(map, T, filter) === 0) return 0;
    // Coverage on the coarsest level: cheap, and enough to decide whether registering is worth it.
    const L = this.predictor.levels[this.predictor.levels.length - 1];
    const F = frame[this.predictor.levels.length - 1];
    let covered = 0;
    for (let i = 0; i < L.depth.length; i++) if (L.depth[i] > 0 && F.depth[i] > 0) covered++;
    return F.validCount > 0 ? covered / F.validCount : 0;
  }

  /**
   * Renders the map (through `filter`) from T and registers the frame against it, starting at T. With
   * `submapAround` (a frame, or 'dominant': the frame of the node anchoring most of what the first render shows)
   * the reference is only the surfels created within activeWindow / 4 frames of it: one stretch of the
   * trajectory, whose surfels agree with each other. The inactive map as a whole can hold several layers of a
   * place, each from a pass with a different drift (7-Scenes redkitchen at frame 471: 9–20 % inliers against
   * all of it).
   */
  private register(map: SurfelMap, tracker: IcpTracker, frame: readonly FrameLevel[], T: Mat4, filter: SurfelFilter,
    submapAround?: number | 'dominant'): Registration | null {
    let coverage = this.render(map, frame, T, filter);
    if (coverage === 0) return null;
    let used = filter;
    if (coverage >= this.c.loopMinCoverage && submapAround !== undefined) {
      const around = submapAround === 'dominant' ? this.graph.frames[this.dominantAnchor(map)] ?? -1 : submapAround;
      if (around >= 0) {
        const span = Math.max(this.c.poseGraphNodeEvery, this.c.activeWindow >> 2);
        used = { ...filter, minCreated: around - span, maxCreated: around + span };
        coverage = this.render(map, frame, T, used);
      }
    }
    if (coverage < this.c.loopMinCoverage) return { tracking: null, coverage };
    const reg = this.registrationFor(tracker);
    let t = reg.register(frame, this.predictor.levels, T, T);
    if (t.ok && t.deltaTranslation > LOOP_REFINE_FROM) {
      // Moved far: the render from T saw the surfels from the wrong place (splat sizes, occlusion). Render again
      // from where it landed and register once more (box room, 30 cm / 12° off: 8.8 → <3 mm).
      const T1 = Float64Array.from(t.T_world_camera);
      const c1 = this.render(map, frame, T1, used);
      if (c1 >= this.c.loopMinCoverage) {
        const t1 = reg.register(frame, this.predictor.levels, T1, T1);
        if (t1.ok) {
          const d = poseDistance(T, t1.T_world_camera);
          t = { ...t1, deltaTranslation: d.translation, deltaRotationDeg: (d.rotation * 180) / Math.PI };
          coverage = c1;
        }
      }
    }
    return { tracking: t, coverage };
  }

  /** Whether a registration is trustworthy enough to close a loop or relocalise on. */
  private accepted(r: Registration | null, medianResidual: number): r is Registration & { tracking: TrackingResult } {
    if (!r || !r.tracking) return false;
    const t = r.tracking, c = this.c;
    const photometric = c.trackingMethod === 'photometric' || (c.trackingMethod === 'hybrid' && c.rgbWeight > 0);
    const cond = photometric ? t.conditioningCombined : t.conditioning;
    const maxRmse = Number.isFinite(medianResidual) ? Math.max(0.004, 2 * medianResidual) : c.maxInlierRmse / 2;
    // Inliers among the pixels the render covers: the rest of the frame has nothing to match.
    const inliers = t.inlierRatio / Math.max(r.coverage, 1e-6);
    return t.ok && inliers >= c.loopMinInlierRatio && t.inlierRmse <= maxRmse && cond >= c.loopMinConditioning;
  }

  /**
   * Loop check at the tracked pose T (updated in place when a loop closes). Returns the event or null.
   * `rawDepth`: the frame's depth for reactivating the inactive surfels it sees.
   */
  check(map: SurfelMap, tracker: IcpTracker, frame: readonly FrameLevel[], rgb: Uint8Array, rawDepth: Float32Array,
    T: Mat4, frameIndex: number, medianResidual: number): LoopClosureEvent | null {
    this.fusedSinceCheck = 0;
    const t0 = performance.now();
    const filter = this.inactiveFilter(frameIndex);
    let kind: 'local' | 'global' = 'local';
    let reg = this.register(map, tracker, frame, T, filter, 'dominant');
    this.checks.run++;
    if (reg?.tracking) this.checks.registered++;
    if (!this.accepted(reg, medianResidual)) {
      // Not registered from here (nothing inactive in view, or drift beyond ICP's reach): ask the ferns for an
      // old keyframe that looks like this frame and register from its pose.
      const k = this.intrinsics;
      if (this.codesFrame !== frameIndex) this.ferns.encode(rgb, rawDepth, k.width, k.height, this.codes);
      this.codesFrame = frameIndex;
      const minGap = this.c.activeWindow;
      const [best] = this.ferns.query(this.codes, 1, (kf) => kf.frame > frameIndex - minGap);
      if (!best || best.dissimilarity > this.c.globalLoopMaxDissimilarity) return null;
      const Tk = this.keyframePose(best.keyframe.node, best.keyframe.T_node_camera, this.m3);
      reg = this.register(map, tracker, frame, Float64Array.from(Tk), filter, best.keyframe.frame);
      kind = 'global';
      this.checks.global++;
      if (!this.accepted(reg, medianResidual)) return null;
    }
    this.checks.accepted++;
    const T_loop = reg.tracking.T_world_camera;
    const d = poseDistance(T, T_loop);
    if (d.translation > this.c.loopMaxCorrection || d.rotation * 180 / Math.PI > this.c.loopMaxCorrectionDeg) return null;
    const needsCorrection = d.translation > this.c.loopMinCorrection || d.rotation * 180 / Math.PI > this.c.loopMinCorrectionDeg;
    let event: LoopClosureEvent | null = null;
    if (needsCorrection) {
      const older = this.dominantAnchor(map);
      if (older >= 0) event = this.close(map, older, T, T_loop, frameIndex, kind, t0);
    }
    this.reactivate(map, rawDepth, frameIndex, event ? event.correctionM : d.translation);
    return event;
  }

  /** The node anchoring most of the surfels in the loop predictor's last render (−1: none old enough). */
  private dominantAnchor(map: SurfelMap): number {
    const nodes = this.graph.size;
    if (this.anchorVotes.length < nodes) this.anchorVotes = new Int32Array(2 * nodes);
    const votes = this.anchorVotes;
    votes.fill(0, 0, nodes);
    const slot = this.predictor.levels[0].slot, anchor = map.anchor;
    for (let i = 0; i < slot.length; i++) {
      const s = slot[i];
      if (s < 0) continue;
      const a = anchor[s];
      if (a >= 0 && a < nodes) votes[a]++;
    }
    const newest = nodes - 1 - this.c.loopMinNodeGap;
    let best = -1, bestVotes = 0;
    for (let a = 0; a <= newest; a++) if (votes[a] > bestVotes) { bestVotes = votes[a]; best = a; }
    return best;
  }

  /**
   * Closes a loop: the current camera at T (tracked) is at T_loop in the older map around node `older`.
   * Adds the edge, optimises, moves the surfels, and sets T to the corrected pose.
   */
  private close(map: SurfelMap, older: number, T: Mat4, T_loop: Mat4, frameIndex: number, kind: 'local' | 'global', t0: number): LoopClosureEvent {
    const g = this.graph;
    const cur = g.size - 1;
    // D: the camera relative to the current node; the loop says node_cur = T_loop·D⁻¹, seen from the older node.
    const D = mulPose(new Float64Array(16), invertRigid(this.m1, g.poses[cur]), T);
    const Z = mulPose(new Float64Array(16), invertRigid(this.m1, g.poses[older]), mulPose(this.m2, T_loop, invertRigid(this.m3, D)));
    g.addEdge(older, cur, Z, this.c.loopEdgeWeight, 'loop');
    const before = g.poses.map((p) => Float64Array.from(p));
    const t1 = performance.now();
    g.optimise(10, older + 1);
    const optimiseMs = performance.now() - t1;
    const deltas = new Float64Array(16 * g.size);
    for (let k = 0; k < g.size; k++) {
      mulPose(this.m2, g.poses[k], invertRigid(this.m1, before[k]));
      deltas.set(this.m2, 16 * k);
    }
    const moved = map.transformByAnchor(deltas, g.size);
    const Tnew = mulPose(new Float64Array(16), g.poses[cur], D);
    const d = poseDistance(T, Tnew);
    T.set(Tnew);
    const event: LoopClosureEvent = {
      kind, frame: frameIndex, toFrame: g.frames[older], correctionM: d.translation, correctionDeg: (d.rotation * 180) / Math.PI,
      surfelsMoved: moved, optimiseMs, ms: performance.now() - t0,
    };
    this.events.push(event);
    this.checks.closed++;
    return event;
  }

  /**
   * Inactive surfels rendered by the last check that the frame's depth confirms become active again: the place
   * is being revisited, so fusion should refine them rather than lay new surfels over them.
   */
  private reactivate(map: SurfelMap, rawDepth: Float32Array, frameIndex: number, correction: number): void {
    const L0 = this.predictor.levels[0];
    const alive = map.alive;
    for (let i = 0; i < L0.slot.length; i++) {
      const s = L0.slot[i];
      if (s < 0 || alive[s] === 0) continue;
      const d = rawDepth[i];
      if (d === 0) continue;
      const gate = Math.max(0.03, 3 * depthSigma(d)) + correction;
      const dz = L0.depth[i] - d;
      if (dz <= gate && dz >= -gate) map.touch(s, frameIndex);
    }
  }

  /**
   * A lost frame: registered against the whole map (stable surfels), first from `hypotheses` (poses the session
   * has reason to believe: where tracking just converged, where the motion model puts the camera, the last good
   * pose; the staged registration reaches 20–30 cm from them), then from the poses of the frame's most similar
   * keyframes (ferns: a return to a place seen before). Returns the first accepted registration, or null.
   */
  relocalise(map: SurfelMap, tracker: IcpTracker, frame: readonly FrameLevel[], rgb: Uint8Array, rawDepth: Float32Array,
    medianResidual: number, hypotheses: readonly Mat4[] = []): TrackingResult | null {
    const tried: Mat4[] = [];
    const attempt = (T0: Mat4): TrackingResult | null => {
      // Two starts within a centimetre and a degree register alike.
      for (const t of tried) { const d = poseDistance(t, T0); if (d.translation < 0.01 && d.rotation < Math.PI / 180) return null; }
      tried.push(T0);
      const reg = this.register(map, tracker, frame, Float64Array.from(T0), this.wholeMapFilter());
      return this.accepted(reg, medianResidual) ? reg.tracking : null;
    };
    for (const T0 of hypotheses) {
      const r = attempt(T0);
      if (r) return r;
    }
    if (this.ferns.keyframes.length === 0) return null;
    const k = this.intrinsics;
    this.ferns.encode(rgb, rawDepth, k.width, k.height, this.codes);
    this.codesFrame = -1;
    const candidates = this.ferns.query(this.codes, this.c.relocaliseCandidates);
    for (const m of candidates) {
      if (m.dissimilarity > this.c.relocaliseMaxDissimilarity) break;
      const r = attempt(this.keyframePose(m.keyframe.node, m.keyframe.T_node_camera, new Float64Array(16)));
      if (r) return r;
    }
    return null;
  }
}
