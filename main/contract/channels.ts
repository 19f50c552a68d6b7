/**
 * The process boundary, declared once: every request channel with its request and response schema,
 * every event channel with its payload schema. Electron's preload, web mode (`semslam serve`) and the
 * renderer all import this file; payloads are validated with these zod schemas at every edge.
 *
 * Payloads are JSON values plus `Uint8Array` (map deltas, preview images): Electron's structured clone
 * carries Uint8Array as is, and the WebSocket wire codec (wire.ts) moves them as binary attachments.
 * This file must stay pure TypeScript (no Node, DOM or Electron imports): it is bundled into the renderer.
 */
import { z } from 'zod';
import { CAMERA_PRESET_IDS } from '../sources/cameraPresets.js';

/** Bytes of any backing buffer (Node Buffers, views into a WebSocket frame). */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes (Uint8Array)' });
const mat4 = z.array(z.number()).length(16);

export const ReplayModeSchema = z.enum(['rgbd', 'rgb']);
/** 'rgbd': sensor depth is fused; 'rgb': the network's predicted depth is fused (the paper's RGB-only mode). */
export type ReplayMode = z.infer<typeof ReplayModeSchema>;

export const TrackingStateSchema = z.enum(['initialising', 'ok', 'lost', 'relocalised']);
export type TrackingState = z.infer<typeof TrackingStateSchema>;

/** ply, pcd: the labelled map; mcap: map and estimated trajectory as a ROS 2 bag (Foxglove). */
export const ExportFormatSchema = z.enum(['ply', 'pcd', 'mcap']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const SessionSummarySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
  /** 'demo', 'camera', or the sequence path. */
  source: z.string(),
  mode: ReplayModeSchema,
  frames: z.number().int().nonnegative(),
  surfels: z.number().int().nonnegative(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const PlaybackStateSchema = z.object({
  state: z.enum(['idle', 'playing', 'paused', 'finished', 'error']),
  sessionId: z.string().nullable(),
  source: z.string().nullable(),
  mode: ReplayModeSchema,
  /** Index of the last processed frame, -1 before the first. */
  frame: z.number().int(),
  /** Frames in the source; 0 when unknown (live camera). */
  frames: z.number().int().nonnegative(),
  /** Playback speed multiplier (1 = sensor rate when realtime, else as fast as possible × 1). */
  speed: z.number().positive(),
  realtime: z.boolean(),
});
export type PlaybackState = z.infer<typeof PlaybackStateSchema>;

const empty = z.object({}).strict();

/** Pinhole intrinsics in pixels of the camera's images (cx, cy: principal point, 0-based pixel centres). */
export const CameraIntrinsicsSchema = z.object({
  fx: z.number().positive(), fy: z.number().positive(), cx: z.number(), cy: z.number(),
});

export const StartCameraSchema = z.object({
  /** The device's name as the user picked it (session name, error messages). */
  device: z.string().max(200).optional(),
  /** A camera has no depth sensor: 'rgb' (the network supplies depth) is the only mode that maps. */
  mode: ReplayModeSchema,
  /** Size of the images the renderer will send. */
  width: z.number().int().min(32).max(1280),
  height: z.number().int().min(32).max(960),
  /** Horizontal field of view in degrees, used when `intrinsics` is absent (default 60°). */
  fovDeg: z.number().gt(1).lt(179).optional(),
  /** Calibrated intrinsics at width × height, overriding fovDeg. */
  intrinsics: CameraIntrinsicsSchema.optional(),
  /**
   * A calibration file's text (ROS camera_info YAML, OpenCV YAML/JSON, Open3D JSON, semslam.json), read by the
   * backend's camera-file parser (as `--camera FILE`) and scaled to width × height; overrides fovDeg.
   */
  calibration: z.object({ name: z.string().min(1).max(260), text: z.string().max(256 * 1024) }).strict().optional(),
  /** Also record the stream (RGB + the network's depth) as a TUM RGB-D sequence for later replay. */
  record: z.boolean().optional(),
}).strict();
export type StartCamera = z.infer<typeof StartCameraSchema>;

export const CameraPresetSchema = z.enum(CAMERA_PRESET_IDS);

/**
 * The open dialog's camera, for recordings whose own files do not say (a TUM-layout folder from another
 * camera, a bare .klg): a named camera, or a calibration file's text (ROS camera_info YAML, OpenCV YAML/JSON,
 * Open3D JSON, semslam.json), and/or intrinsics typed as "fx, fy, cx, cy[, width, height]" (over the file's),
 * and the depth scale typed as integer units per metre; and, for colour taken by another camera than depth,
 * that camera as "fx, fy, cx, cy, tx, ty, tz" or "none" (as --colour-camera). Text goes to the backend as typed:
 * the CLI's parsers (--intrinsics, --camera, --depth-scale, --colour-camera) check it and name the field in their
 * errors (REPLAY_CAMERA_FIELDS).
 */
export const ReplayCameraSchema = z.object({
  preset: CameraPresetSchema.optional(),
  intrinsics: z.string().max(200).optional(),
  calibration: z.object({ name: z.string().min(1).max(260), text: z.string().max(256 * 1024) }).strict().optional(),
  depthScale: z.string().max(40).optional(),
  colourCamera: z.string().max(200).optional(),
}).strict();
export type ReplayCamera = z.infer<typeof ReplayCameraSchema>;

/** How errors about the dialog's camera fields name them (the message starts with the name and a colon). */
export const REPLAY_CAMERA_FIELDS = {
  preset: 'Camera', intrinsics: 'Intrinsics', depthScale: 'Depth scale', typedIntrinsics: 'the intrinsics typed in the open dialog',
  colourCamera: 'Colour camera',
} as const;

/** Request channels: name → request schema and response schema. */
export const RequestSchemas = {
  listSessions: { request: empty, response: z.object({ sessions: z.array(SessionSummarySchema) }) },
  openSession: { request: z.object({ id: z.string().min(1) }), response: z.object({ session: SessionSummarySchema }) },
  renameSession: {
    request: z.object({ id: z.string().min(1), name: z.string().min(1).max(200) }),
    response: z.object({ session: SessionSummarySchema }),
  },
  deleteSession: { request: z.object({ id: z.string().min(1) }), response: z.object({ deleted: z.literal(true) }) },
  startReplay: {
    request: z.object({
      /** A sequence path (NYU raw, TUM, ... as main/sources reads them) or 'demo' (a generated scene). */
      source: z.string().min(1),
      mode: ReplayModeSchema,
      /** true: pace frames at the sensor rate × speed; false: as fast as the pipeline runs. */
      realtime: z.boolean(),
      /** Start paused (the renderer then calls play). Default false. */
      paused: z.boolean().optional(),
      /** The camera and depth scale from the open dialog; replaces what `semslam serve` was started with. */
      camera: ReplayCameraSchema.optional(),
    }),
    response: z.object({ session: SessionSummarySchema, playback: PlaybackStateSchema }),
  },
  /** Starts a live camera session; the renderer captures (getUserMedia) and sends images with cameraFrame. */
  startCamera: {
    request: StartCameraSchema,
    response: z.object({ session: SessionSummarySchema, playback: PlaybackStateSchema, recording: z.string().nullable() }),
  },
  /**
   * One captured image (row-major RGB, width × height × 3 bytes). The pipeline takes the newest: an image that
   * arrives before the previous one was taken replaces it (counted in `dropped`).
   */
  cameraFrame: {
    request: z.object({
      timestamp: z.number().nonnegative(),
      width: z.number().int().min(32).max(1280),
      height: z.number().int().min(32).max(960),
      rgb: bytes,
    }).strict().refine((f) => f.rgb.length === f.width * f.height * 3, { message: 'rgb must hold width × height × 3 bytes', path: ['rgb'] }),
    response: z.object({ received: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() }),
  },
  /** Ends the live camera session (its map and frames stay in the store; a recording is closed). */
  stopCamera: {
    request: empty,
    response: z.object({ session: SessionSummarySchema, recording: z.string().nullable() }),
  },
  play: { request: empty, response: PlaybackStateSchema },
  pause: { request: empty, response: PlaybackStateSchema },
  step: { request: z.object({ frames: z.number().int().positive().max(10_000).optional() }), response: PlaybackStateSchema },
  setSpeed: { request: z.object({ speed: z.number().positive().max(64) }), response: PlaybackStateSchema },
  /** Seeking backwards restarts fusion from frame 0 (a mapDelta with reset=true follows). */
  seek: { request: z.object({ frame: z.number().int().nonnegative() }), response: PlaybackStateSchema },
  /** Current playback state; the renderer calls it once on connect. */
  getPlayback: { request: empty, response: PlaybackStateSchema },
  /**
   * The whole current map as one encoded map-delta packet with reset=true (mapDelta.ts), so a renderer
   * that connects mid-session starts from the same map as everyone else. `parts` (web mode): the response is the
   * first part (MAP_DELTA_PART_RECORDS surfels) and the rest follow at once as mapDelta events, the last with
   * more=false, so that a map of a million surfels never arrives as one 30 MB message; other transports ignore it.
   */
  getMap: { request: z.object({ parts: z.boolean().optional() }).strict(), response: z.object({ packet: bytes }) },
  exportMap: {
    request: z.object({ format: ExportFormatSchema, path: z.string().min(1).optional() }),
    /** poses: camera poses written (mcap; 0 for ply and pcd). */
    response: z.object({ path: z.string(), bytes: z.number().int().nonnegative(), surfels: z.number().int().nonnegative(), poses: z.number().int().nonnegative() }),
  },
} as const;

export type RequestChannel = keyof typeof RequestSchemas;
export type RequestOf<C extends RequestChannel> = z.infer<(typeof RequestSchemas)[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.infer<(typeof RequestSchemas)[C]['response']>;
export const REQUEST_CHANNELS = Object.keys(RequestSchemas) as RequestChannel[];

export const FrameStatsSchema = z.object({
  frame: z.number().int().nonnegative(),
  /** Sensor timestamp, seconds. */
  timestamp: z.number(),
  /** Milliseconds per pipeline stage (e.g. decode, inference, tracking, fusion), lower is better. */
  stagesMs: z.record(z.string(), z.number().nonnegative()),
  /** Frames per second over the last second of processing, higher is better. */
  fps: z.number().nonnegative(),
  surfels: z.number().int().nonnegative(),
  tracking: TrackingStateSchema,
  /** ICP inlier RMSE in metres (lower is better), when tracking ran. */
  inlierRmse: z.number().nonnegative().optional(),
  /** Counts since the map started: frames lost, frames tracked but not fused (weak evidence), loops closed. */
  lostFrames: z.number().int().nonnegative().optional(),
  doubtfulFrames: z.number().int().nonnegative().optional(),
  loopClosures: z.number().int().nonnegative().optional(),
});
export type FrameStats = z.infer<typeof FrameStatsSchema>;

export const PreviewKindSchema = z.enum(['rgb', 'depth', 'segmentation']);
export type PreviewKind = z.infer<typeof PreviewKindSchema>;

export const PreviewSchema = z.object({
  frame: z.number().int().nonnegative(),
  kind: PreviewKindSchema,
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  /** 'rgb8': raw row-major RGB (width·height·3 bytes); 'png'/'jpeg': an encoded image. */
  format: z.enum(['rgb8', 'png', 'jpeg']),
  data: bytes,
});
export type Preview = z.infer<typeof PreviewSchema>;

export const TrajectorySchema = z.object({
  /** positions[from..] replace the renderer's camera centres from index `from` (0 after a reset). */
  from: z.number().int().nonnegative(),
  /** World camera centres x,y,z for frames from, from+1, ... */
  positions: z.array(z.number()),
  /** Current T_world_camera (column-major, OpenCV camera frame). */
  T_world_camera: mat4,
  /** Intrinsics of the current frame, for drawing the frustum. */
  intrinsics: z.object({
    width: z.number().positive(),
    height: z.number().positive(),
    fx: z.number().positive(),
    fy: z.number().positive(),
    cx: z.number(),
    cy: z.number(),
  }),
});
export type Trajectory = z.infer<typeof TrajectorySchema>;

export const AppErrorSchema = z.object({
  /** Plain words for the user: what failed and what to do. */
  message: z.string(),
  /** Optional technical detail (file, stack head) shown collapsed. */
  detail: z.string().optional(),
  /** true when the session stopped because of it. */
  fatal: z.boolean(),
});
export type AppError = z.infer<typeof AppErrorSchema>;

/** Event channels: name → payload schema. Backend → renderer only. */
export const EventSchemas = {
  frameStats: FrameStatsSchema,
  /** An encoded map-delta packet (mapDelta.ts): only surfels changed since the previous packet. */
  mapDelta: z.object({ packet: bytes }),
  preview: PreviewSchema,
  trajectory: TrajectorySchema,
  playback: PlaybackStateSchema,
  sessions: z.object({ sessions: z.array(SessionSummarySchema) }),
  error: AppErrorSchema,
  /** From the desktop shell's menus: what the renderer should show (e.g. the camera panel). */
  uiCommand: z.discriminatedUnion('command', [
    z.object({ command: z.literal('openCamera') }),
    /** The desktop shell's File › Open picked this recording: replay it with the open dialog's camera fields. */
    z.object({ command: z.literal('replay'), source: z.string().min(1) }),
  ]),
} as const;

export type EventChannel = keyof typeof EventSchemas;
export type EventOf<C extends EventChannel> = z.infer<(typeof EventSchemas)[C]>;
export const EVENT_CHANNELS = Object.keys(EventSchemas) as EventChannel[];

/** One event as it crosses the boundary. */
export type AppEvent = { [C in EventChannel]: { channel: C; payload: EventOf<C> } }[EventChannel];

/** Every response crosses the boundary as a value: expected failures are not exceptions in the renderer. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };
export type ErrorCode = 'invalid-request' | 'not-found' | 'busy' | 'unavailable' | 'failed';

export const ResultErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.enum(['invalid-request', 'not-found', 'busy', 'unavailable', 'failed']), message: z.string() }),
});

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RequestSchemas, name);
}

export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EventSchemas, name);
}

/** Validates a request at a boundary; the error names the channel and the first bad field in plain words. */
export function parseRequest<C extends RequestChannel>(
  channel: C,
  payload: unknown,
): { ok: true; value: RequestOf<C> } | { ok: false; message: string } {
  const r = RequestSchemas[channel].request.safeParse(payload ?? {});
  if (r.success) return { ok: true, value: r.data as RequestOf<C> };
  return { ok: false, message: `${channel}: ${describeZodError(r.error)}` };
}

export function parseResponse<C extends RequestChannel>(
  channel: C,
  payload: unknown,
): { ok: true; value: ResponseOf<C> } | { ok: false; message: string } {
  const r = RequestSchemas[channel].response.safeParse(payload);
  if (r.success) return { ok: true, value: r.data as ResponseOf<C> };
  return { ok: false, message: `${channel} response: ${describeZodError(r.error)}` };
}

export function parseEvent(channel: unknown, payload: unknown): { ok: true; value: AppEvent } | { ok: false; message: string } {
  if (!isEventChannel(channel)) return { ok: false, message: `unknown event channel ${JSON.stringify(channel)}` };
  const r = EventSchemas[channel].safeParse(payload);
  if (r.success) return { ok: true, value: { channel, payload: r.data } as AppEvent };
  return { ok: false, message: `${channel} event: ${describeZodError(r.error)}` };
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : '(payload)';
  return `${where}: ${issue.message}`;
}
