/**
 * Live capture in the renderer: getUserMedia → a hidden <video> → a canvas at the session's size → RGB bytes.
 * Frames are sent one at a time (the next capture waits for the backend's answer), and the backend keeps only
 * the newest, so a slow pipeline drops stale frames instead of queueing them.
 */
import { centredCrop, rgbaToRgb } from './calibration.js';

export interface CameraDevice {
  readonly deviceId: string;
  readonly label: string;
}

/** Video inputs; labels are empty until the user has granted camera access once. */
export async function listCameras(): Promise<CameraDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `camera ${i + 1}` }));
}

/** Plain words for getUserMedia's failures. */
export function describeCameraError(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  switch (name) {
    case 'NotAllowedError': return 'Camera access was refused. Allow the camera for this page and try again.';
    case 'NotFoundError': return 'No camera was found. Connect one and try again.';
    case 'NotReadableError': return 'The camera is in use by another application (or failed to start).';
    case 'OverconstrainedError': return 'The selected camera cannot deliver the requested resolution.';
    default: return `The camera could not be opened: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export type SendFrame = (rgb: Uint8Array, timestampS: number) => Promise<boolean>;

export class CameraCapture {
  private readonly video: HTMLVideoElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly rgb: Uint8Array;
  private running = false;
  private lastTime = -1;
  /** Frames sent, and the device's name (known once the stream is open). */
  sent = 0;
  label = '';

  private constructor(private readonly stream: MediaStream, readonly width: number, readonly height: number, onEnded: () => void) {
    this.video = Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: stream });
    this.canvas = Object.assign(document.createElement('canvas'), { width, height });
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser cannot read pixels from a 2D canvas');
    this.ctx = ctx;
    this.rgb = new Uint8Array(width * height * 3);
    const track = stream.getVideoTracks()[0];
    this.label = track?.label ?? 'camera';
    // A camera that is unplugged or taken away ends its track.
    track?.addEventListener('ended', () => {
      if (this.running) {
        this.running = false;
        onEnded();
      }
    });
  }

  /** Opens a camera (deviceId '' = the default one) asking for width × height. */
  static async open(deviceId: string, width: number, height: number, onEnded: () => void): Promise<CameraCapture> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: width }, height: { ideal: height } },
    });
    const c = new CameraCapture(stream, width, height, onEnded);
    await c.video.play();
    return c;
  }

  /** Captures and sends frames until stop(); `send` resolving false stops the loop (the session ended). */
  async run(send: SendFrame): Promise<void> {
    this.running = true;
    while (this.running) {
      await this.nextVideoFrame();
      if (!this.running) break;
      const t = this.video.currentTime;
      if (t === this.lastTime || this.video.videoWidth === 0) continue;
      this.lastTime = t;
      const { sx, sy, sw, sh } = centredCrop(this.video.videoWidth, this.video.videoHeight, this.width, this.height);
      this.ctx.drawImage(this.video, sx, sy, sw, sh, 0, 0, this.width, this.height);
      rgbaToRgb(this.ctx.getImageData(0, 0, this.width, this.height).data, this.rgb);
      const ok = await send(this.rgb, (performance.timeOrigin + performance.now()) / 1000);
      if (!ok) break;
      this.sent++;
    }
    this.running = false;
  }

  stop(): void {
    this.running = false;
    for (const t of this.stream.getTracks()) t.stop();
    this.video.srcObject = null;
  }

  private nextVideoFrame(): Promise<void> {
    const v = this.video as Omit<HTMLVideoElement, 'requestVideoFrameCallback'> & { requestVideoFrameCallback?: (cb: () => void) => number };
    // The timeout keeps the loop alive (and stoppable) when the video stalls and no frame callback comes.
    const timeout = new Promise<void>((r) => setTimeout(r, v.requestVideoFrameCallback ? 250 : 33));
    if (!v.requestVideoFrameCallback) return timeout;
    return Promise.race([new Promise<void>((r) => v.requestVideoFrameCallback!(() => r())), timeout]);
  }
}
