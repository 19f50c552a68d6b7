import { open, type FileHandle } from 'node:fs/promises';
import type { Frame } from '../sources/frame.js';
import type { SequenceWriter } from '../sources/writers.js';

/**
 * YUV4MPEG2 (.y4m) video of a sequence's RGB frames: 4:2:0 BT.601 in video (limited) range, as players assume
 * for Y4M (`XCOLORRANGE=LIMITED` says so explicitly). What Chromium's fake camera plays (`--use-file-for-fake-video-capture=FILE.y4m`, looping), and what ffmpeg/x264 read, so a
 * generated sequence can stand in for a webcam. Width and height must be even (4:2:0 chroma).
 */
export class Y4mWriter implements SequenceWriter {
  private readonly frame: Uint8Array;
  private count = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly file: FileHandle, readonly width: number, readonly height: number) {
    this.frame = new Uint8Array(6 + (width * height * 3) / 2);
    this.frame.set(new TextEncoder().encode('FRAME\n'));
  }

  static async create(path: string, width: number, height: number, fps = 30): Promise<Y4mWriter> {
    if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`${path}: y4m 4:2:0 needs an even width and height, got ${width}×${height}`);
    if (!path.toLowerCase().endsWith('.y4m')) throw new RangeError(`${path}: the file name must end in .y4m (players recognise the format by it)`);
    const file = await open(path, 'w');
    await file.write(`YUV4MPEG2 W${width} H${height} F${Math.round(fps)}:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n`);
    return new Y4mWriter(path, file, width, height);
  }

  get frames(): number {
    return this.count;
  }

  async write(frame: Frame): Promise<void> {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new Error(`${this.path}: frame ${frame.index} is ${frame.width}×${frame.height}, the video is ${this.width}×${this.height}`);
    }
    rgbToI420(frame.rgb, this.width, this.height, this.frame.subarray(6));
    await this.file.write(this.frame);
    this.count++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/** Row-major RGB → planar I420 (Y, then U and V at half resolution, 2×2 averages), BT.601 limited range (Y 16..235, C 16..240). */
export function rgbToI420(rgb: Uint8Array, width: number, height: number, out: Uint8Array): Uint8Array {
  const n = width * height;
  const cw = width >> 1;
  const u0 = n;
  const v0 = n + (n >> 2);
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
    out[i] = clamp8(16 + (219 / 255) * (0.299 * r + 0.587 * g + 0.114 * b));
  }
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = 3 * ((y + dy) * width + x + dx);
          r += rgb[p];
          g += rgb[p + 1];
          b += rgb[p + 2];
        }
      }
      r /= 4; g /= 4; b /= 4;
      const c = (y >> 1) * cw + (x >> 1);
      out[u0 + c] = clamp8(128 + (224 / 255) * (-0.168736 * r - 0.331264 * g + 0.5 * b));
      out[v0 + c] = clamp8(128 + (224 / 255) * (0.5 * r - 0.418688 * g - 0.081312 * b));
    }
  }
  return out;
}

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
