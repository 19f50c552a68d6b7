import { InputError } from '../errors.js';
import { decodeJpegRgb, decodePng16, decodePngRgb } from '../io/image.js';
import { nativePng16, nativeRgb } from '../io/nativeDecode.js';
import { scaledDepthToMetres } from './indexedReader.js';
import type { Ros2CompressedImage, Ros2Image } from './ros2Messages.js';

/**
 * sensor_msgs Image / CompressedImage → our rasters. Colour: rgb8, bgr8, rgba8, bgra8, mono8 (and
 * 8UC3/8UC1 as bgr8/mono8, OpenCV's meaning), JPEG or PNG compressed. Depth: 16UC1/mono16 (integer
 * units, millimetres by ROS convention, `unitsPerMetre` overrides), 32FC1 (metres, NaN/inf → missing),
 * PNG-compressed 16-bit, and image_transport's `compressedDepth` (a 12-byte config header, then a PNG:
 * 16UC1 as is, 32FC1 quantised as inverse depth, depth = A / (v − B)).
 */
export type RosImageKind = 'colour' | 'depth';

export interface RosImageMessage {
  readonly type: 'image' | 'compressed';
  readonly image?: Ros2Image;
  readonly compressed?: Ros2CompressedImage;
}

const COLOUR_ENCODINGS = new Set(['rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8', '8uc3', '8uc1']);
const DEPTH_ENCODINGS = new Set(['16uc1', 'mono16', '32fc1']);

/** 'colour' | 'depth' | undefined (unknown encoding) for a message, from its encoding/format text and topic. */
export function classifyRosImage(topic: string, m: RosImageMessage): RosImageKind | undefined {
  if (m.image) {
    const enc = m.image.encoding.toLowerCase();
    if (COLOUR_ENCODINGS.has(enc)) return 'colour';
    if (DEPTH_ENCODINGS.has(enc)) return 'depth';
    return undefined;
  }
  const format = (m.compressed?.format ?? '').toLowerCase();
  if (format.includes('compresseddepth') || /^(16uc1|32fc1|mono16)\b/.test(format)) return 'depth';
  const data = m.compressed?.data;
  if (data && isJpeg(data)) return 'colour';
  if (data && isPng(data)) {
    // A bare "png" format says nothing of the content: a 16-bit single-channel PNG is depth.
    const bitDepth = data[24], colourType = data[25];
    if (bitDepth === 16 && colourType === 0) return 'depth';
    return 'colour';
  }
  return /depth/i.test(topic) ? 'depth' : undefined;
}

function isJpeg(b: Uint8Array): boolean { return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff; }
function isPng(b: Uint8Array): boolean { return b.length > 26 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47; }

/** Width and height of a message without decoding compressed data fully (PNG header; JPEG needs a decode). */
export function rosImageSize(where: string, m: RosImageMessage): { width: number; height: number } {
  if (m.image) return { width: m.image.width, height: m.image.height };
  const data = m.compressed!.data;
  const png = pngOffset(data);
  if (png >= 0) {
    const v = new DataView(data.buffer, data.byteOffset + png, data.byteLength - png);
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  const img = decodeJpegRgb(where, data);
  return { width: img.width, height: img.height };
}

function pngOffset(data: Uint8Array): number {
  if (isPng(data)) return 0;
  // compressedDepth: a 12-byte ConfigHeader (int32 format, float32 depthQuantA, float32 depthQuantB) before the PNG.
  if (data.length > 12 + 26 && isPng(data.subarray(12))) return 12;
  return -1;
}

/**
 * Decodes a colour message into `out` (H×W×3 RGB), or without `out` into an array of its own (a decoded image's,
 * not copied); throws InputError naming `where` on bad data. Compressed
 * images go through the native decoder where it decodes them exactly (nativeDecode.ts), the JS decoders otherwise.
 */
export async function decodeRosColour(where: string, m: RosImageMessage, width: number, height: number, out?: Uint8Array): Promise<Uint8Array> {
  if (m.compressed) {
    const data = m.compressed.data;
    const img = (isJpeg(data) || isPng(data) ? await nativeRgb(data) : null)
      ?? (isJpeg(data) ? decodeJpegRgb(where, data) : isPng(data) ? decodePngRgb(where, data) : undefined);
    if (!img) throw new InputError(where, `compressed colour format "${m.compressed.format}" is neither JPEG nor PNG`);
    checkSize(where, img.width, img.height, width, height);
    if (!out) return img.data;
    out.set(img.data);
    return out;
  }
  out ??= new Uint8Array(width * height * 3);
  const im = m.image!;
  checkSize(where, im.width, im.height, width, height);
  const enc = im.encoding.toLowerCase();
  const channels = enc === 'mono8' || enc === '8uc1' ? 1 : enc === 'rgba8' || enc === 'bgra8' ? 4 : 3;
  const bgr = enc === 'bgr8' || enc === 'bgra8' || enc === '8uc3';
  if (!COLOUR_ENCODINGS.has(enc)) throw new InputError(where, `unknown colour encoding "${im.encoding}" (expected rgb8, bgr8, rgba8, bgra8 or mono8)`);
  checkStep(where, im, width * channels, height);
  const src = im.data;
  if (channels === 3 && !bgr && im.step === width * 3) {
    out.set(src.subarray(0, width * height * 3));
    return out;
  }
  for (let y = 0; y < height; y++) {
    let s = y * im.step, o = y * width * 3;
    for (let x = 0; x < width; x++, s += channels, o += 3) {
      if (channels === 1) {
        const g = src[s];
        out[o] = g; out[o + 1] = g; out[o + 2] = g;
      } else if (bgr) {
        out[o] = src[s + 2]; out[o + 1] = src[s + 1]; out[o + 2] = src[s];
      } else {
        out[o] = src[s]; out[o + 1] = src[s + 1]; out[o + 2] = src[s + 2];
      }
    }
  }
  return out;
}

/**
 * Decodes a depth message into metres in `out` (0 = missing). `unitsPerMetre` applies to integer depth
 * (16UC1, mono16, PNG); 32FC1 is metres by definition.
 */
export async function decodeRosDepth(where: string, m: RosImageMessage, width: number, height: number, unitsPerMetre: number, out: Float32Array): Promise<Float32Array> {
  if (m.compressed) return decodeCompressedDepth(where, m.compressed, width, height, unitsPerMetre, out);
  const im = m.image!;
  checkSize(where, im.width, im.height, width, height);
  const enc = im.encoding.toLowerCase();
  if (!DEPTH_ENCODINGS.has(enc)) throw new InputError(where, `unknown depth encoding "${im.encoding}" (expected 16UC1, mono16 or 32FC1)`);
  const bytesPerPixel = enc === '32fc1' ? 4 : 2;
  checkStep(where, im, width * bytesPerPixel, height);
  const little = im.is_bigendian === 0;
  const src = im.data;
  const aligned = (src.byteOffset % bytesPerPixel) === 0 && im.step === width * bytesPerPixel && little;
  const n = width * height;
  if (bytesPerPixel === 2) {
    if (aligned) {
      const v = new Uint16Array(src.buffer, src.byteOffset, n);
      return scaledDepthToMetres(v, unitsPerMetre, out);
    }
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        const d = view.getUint16(y * im.step + x * 2, little);
        out[i] = d === 0 ? 0 : d / unitsPerMetre;
      }
    }
    return out;
  }
  if (aligned) {
    const v = new Float32Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) { const d = v[i]; out[i] = d > 0 && d < Infinity ? d : 0; }
    return out;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const d = view.getFloat32(y * im.step + x * 4, little);
      out[i] = d > 0 && d < Infinity ? d : 0;
    }
  }
  return out;
}

async function decodeCompressedDepth(where: string, c: Ros2CompressedImage, width: number, height: number, unitsPerMetre: number, out: Float32Array): Promise<Float32Array> {
  const format = c.format.toLowerCase();
  const data = c.data;
  const offset = pngOffset(data);
  if (offset < 0) {
    const what = format.includes('rvl') ? 'RVL-compressed depth is not supported (record with png compression)' : `compressed depth format "${c.format}" is not PNG`;
    throw new InputError(where, what);
  }
  const bytes = data.subarray(offset);
  const png = (await nativePng16(bytes)) ?? decodePng16(where, bytes);
  checkSize(where, png.width, png.height, width, height);
  const v = png.data;
  if (offset === 12 && format.startsWith('32fc1')) {
    const header = new DataView(data.buffer, data.byteOffset, 12);
    const a = header.getFloat32(4, true), b = header.getFloat32(8, true);
    for (let i = 0; i < v.length; i++) {
      const q = v[i];
      const d = q === 0 ? 0 : a / (q - b);
      out[i] = d > 0 && d < Infinity ? d : 0;
    }
    return out;
  }
  return scaledDepthToMetres(v, unitsPerMetre, out);
}

function checkSize(where: string, w: number, h: number, width: number, height: number): void {
  if (w !== width || h !== height) throw new InputError(where, `image is ${w}×${h}, the sequence is ${width}×${height}`);
}

function checkStep(where: string, im: Ros2Image, rowBytes: number, height: number): void {
  if (im.step < rowBytes) throw new InputError(where, `step ${im.step} is shorter than a row (${rowBytes} bytes)`);
  if (im.data.length < im.step * (height - 1) + rowBytes) {
    throw new InputError(where, `data has ${im.data.length} bytes, ${im.height} rows of step ${im.step} need ${im.step * height}`);
  }
}
