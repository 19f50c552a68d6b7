import type { WireError } from '../errors.js';
import type { MapSnapshot } from '../../fusion/types.js';
import type { AppEvent, PlaybackState } from '../contract/channels.js';
import type { CameraImage, PushResult } from '../sources/liveCamera.js';
import type { SessionOptions } from './options.js';
import type { SessionInfo, SessionResult } from './sessionLoop.js';

/**
 * Messages between PipelineSession (caller's thread) and its worker. Structured clone copies everything except
 * the buffers listed as transferred: map-delta packets, preview images and snapshot arrays move without a copy.
 */
export interface WorkerInit {
  readonly options: Partial<SessionOptions>;
}

export type WorkerCommand =
  | { readonly id: number; readonly op: 'play' | 'pause' | 'playback' | 'stop' | 'mapPacket' | 'snapshot' }
  | { readonly id: number; readonly op: 'step'; readonly frames: number }
  | { readonly id: number; readonly op: 'seek'; readonly frame: number }
  | { readonly id: number; readonly op: 'setSpeed'; readonly speed: number }
  | { readonly id: number; readonly op: 'pushCameraImage'; readonly image: CameraImage };

export type { WireError } from '../errors.js';

export type WorkerReplyValue = PlaybackState | SessionResult | Uint8Array | MapSnapshot | PushResult | null;

export type WorkerMessage =
  | { readonly kind: 'ready'; readonly info: SessionInfo }
  | { readonly kind: 'failed'; readonly error: WireError }
  | { readonly kind: 'event'; readonly event: AppEvent }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: WorkerReplyValue }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly kind: 'finished'; readonly result: SessionResult };
