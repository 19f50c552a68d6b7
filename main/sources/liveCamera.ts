import type { Intrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import { parseCameraFile, specIntrinsics } from './cameraSpec.js';
import type { Frame, SequenceInfo, SequenceReader } from './frame.js';

/** One camera image as the renderer captured it. */
export interface CameraImage {
  /** Seconds, the capturing clock's (monotonic per camera). */
  readonly timestamp: number;
  readonly width: number;
  readonly height: number;
  /** Row-major H×W×3 RGB. Ownership passes to the reader. */
  readonly rgb: Uint8Array;
}

export interface PushResult {
  /** Images replaced before the pipeline took them, since the camera started. */
  readonly dropped: number;
  /** Images received since the camera started. */
  readonly received: number;
}

/** The pipeline asked for a frame after the camera was stopped. */
export class CameraEndedError extends Error {
  constructor() {
    super('the camera was stopped');
    this.name = 'CameraEndedError';
  }
}

/**
 * A live camera as a SequenceReader: the renderer pushes images, the pipeline reads them. It holds one image
 * only: a push that finds the previous image still unread replaces it (the pipeline always gets the newest
 * image; stale ones are dropped and counted), and a read waits until an image arrives or the camera ends.
 * Depth is empty (a webcam has none): sessions on it run in rgb mode, where the network supplies depth.
 */
export class LiveCameraReader implements SequenceReader {
  readonly info: SequenceInfo;
  private slot: CameraImage | null = null;
  private waiter: { resolve: (f: CameraImage) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private received = 0;
  private dropped = 0;
  private lastTimestamp = -Infinity;
  private readonly emptyDepth: Float32Array;

  constructor(readonly intrinsics: Intrinsics, readonly label: string, warnings: readonly string[] = []) {
    this.info = {
      format: 'camera', path: label, frames: 0, width: intrinsics.width, height: intrinsics.height, intrinsics,
      hasGroundTruth: false, hasLabels: false, ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
    };
    this.emptyDepth = new Float32Array(intrinsics.width * intrinsics.height);
  }

  /** Hands an image to the pipeline; a bad image is an InputError naming the camera. */
  push(image: CameraImage): PushResult {
    if (this.ended) throw new InputError(this.label, 'the camera session has ended; start the camera again');
    const { width, height } = this.intrinsics;
    if (image.width !== width || image.height !== height) {
      throw new InputError(this.label, `image is ${image.width}×${image.height}, the camera session was started at ${width}×${height}`);
    }
    if (image.rgb.length !== width * height * 3) {
      throw new InputError(this.label, `image has ${image.rgb.length} bytes, expected ${width * height * 3} (RGB, ${width}×${height})`);
    }
    if (!Number.isFinite(image.timestamp) || image.timestamp <= this.lastTimestamp) {
      throw new InputError(this.label, `image timestamp ${image.timestamp} does not increase (previous ${this.lastTimestamp})`);
    }
    this.lastTimestamp = image.timestamp;
    this.received++;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(image);
    } else {
      if (this.slot) this.dropped++;
      this.slot = image;
    }
    return { dropped: this.dropped, received: this.received };
  }

  /** No more images: a pending read rejects with CameraEndedError. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.slot = null;
    this.waiter?.reject(new CameraEndedError());
    this.waiter = null;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get counts(): PushResult {
    return { dropped: this.dropped, received: this.received };
  }

  /** The newest image as frame `i` (frames are numbered in the order the pipeline takes them). */
  async read(i: number): Promise<Frame> {
    const image = await this.next();
    return {
      index: i, timestamp: image.timestamp, width: image.width, height: image.height, rgb: image.rgb,
      depth: this.emptyDepth, intrinsics: this.intrinsics,
    };
  }

  async *frames(options: { start?: number; maxFrames?: number } = {}): AsyncIterable<Frame> {
    const start = options.start ?? 0;
    const end = start + (options.maxFrames ?? Infinity);
    for (let i = start; i < end; i++) {
      try {
        yield await this.read(i);
      } catch (e) {
        if (e instanceof CameraEndedError) return;
        throw e;
      }
    }
  }

  private next(): Promise<CameraImage> {
    if (this.ended) return Promise.reject(new CameraEndedError());
    if (this.slot) {
      const image = this.slot;
      this.slot = null;
      return Promise.resolve(image);
    }
    if (this.waiter) return Promise.reject(new Error('LiveCameraReader: one read at a time'));
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject }; });
  }
}

/** Intrinsics from a horizontal field of view (square pixels, principal point at the centre). */
export function intrinsicsFromFov(width: number, height: number, horizontalFovDeg: number): Intrinsics {
  if (!(horizontalFovDeg > 1 && horizontalFovDeg < 179)) {
    throw new RangeError(`field of view must be between 1° and 179°, got ${horizontalFovDeg}`);
  }
  const fx = width / 2 / Math.tan((horizontalFovDeg * Math.PI) / 360);
  return { width, height, fx, fy: fx, cx: (width - 1) / 2, cy: (height - 1) / 2 };
}

/**
 * Intrinsics at the capture size from a calibration file the user picked, read by the same parser as
 * `--camera FILE` and the open dialog (ROS camera_info YAML, OpenCV YAML/JSON, Open3D JSON, semslam.json), so
 * its errors name the file and the field. Captures are a centred crop of the device's picture at the capture's
 * aspect ratio (renderer/camera/calibration.ts): a calibration at another aspect ratio describes another
 * picture, which no scaling of fx, fy, cx, cy makes right, so it is refused. Warnings: rescaled to the capture
 * size, lens distortion not corrected.
 */
export function calibratedIntrinsics(file: { readonly name: string; readonly text: string }, width: number, height: number): { intrinsics: Intrinsics; warnings: string[] } {
  const spec = parseCameraFile(file.name, file.text);
  const k = spec.intrinsics!;
  if (k.width !== undefined && k.height !== undefined && Math.abs(k.width / k.height - width / height) > 0.01) {
    throw new InputError(file.name, `calibrated at ${k.width}×${k.height}, which has another aspect ratio than the capture size ${width}×${height}; calibrate the camera at a ${width}:${height} size, or use the field of view`);
  }
  const warnings: string[] = [];
  return { intrinsics: specIntrinsics(spec, width, height, warnings)!, warnings };
}
