/**
 * PNG and JPEG decoding in native code: several times faster than the pure-JS decoders.
 * - JPEG: libjpeg-turbo (@julusian/jpeg-turbo, an optional dependency whose prebuilt binaries ship inside its npm
 *   package), else @napi-rs/image. A 640×480 frame on this project's 2-core machines, CPU per image: a 7-Scenes
 *   JPEG 0.7–0.8 ms against 2.0 ms, a generated room's (quality 90) 1.2 against 2.8 ms.
 * - PNG: @napi-rs/image (Rust's image crate), 1.6–1.8× faster than libvips through sharp, which it replaced (8-bit
 *   RGB PNG 4.1 against 7.2 ms, 16-bit depth PNG 1.9 against 3.5 ms).
 *
 * Where it runs matters as much as how fast. Off the main thread (a reading thread: main/pipeline/prefetch) an image
 * is decoded on the calling thread itself, so the decoding takes that thread's priority: the reading thread is
 * lowered below the fusion's threads, and a decode on libuv's process-wide pool (or libvips' own workers, as
 * before) would not be, and would pre-empt the fusion's kernel pool at its barriers. On the main thread the
 * decode goes to libuv's pool, so that the event loop stays free.
 *
 * The prebuilt binaries come as npm packages; where one cannot load, the next decoder is used, and the JS decoders
 * last (`nativeDecoder()` / `turboJpeg()` resolve to null). Only what they give back exactly is taken from them:
 * 8-bit colour, grey or palette PNG and JPEG (expanded to RGB as the JS path does), and single-channel 16-bit PNG.
 * SEMSLAM_DECODER=js turns both off, SEMSLAM_DECODER=napi libjpeg-turbo alone (to measure what each saves).
 */
import { isMainThread } from 'node:worker_threads';
import type * as NapiImageModule from '@napi-rs/image';
import type * as JpegTurboModule from '@julusian/jpeg-turbo';
import type { Raster16, Raster8 } from './image.js';

type NapiImage = typeof NapiImageModule;
type JpegTurbo = Pick<typeof JpegTurboModule, 'decompress' | 'decompressSync' | 'FORMAT_RGB'>;
let loading: Promise<NapiImage | null> | undefined;
let loadingTurbo: Promise<JpegTurbo | null> | undefined;

/** The native decoder, loaded once; null where its binary is missing or refuses to load. */
export function nativeDecoder(): Promise<NapiImage | null> {
  // SEMSLAM_DECODER=js: the pure-JS decoders only (to measure what the native one saves).
  if (process.env.SEMSLAM_DECODER === 'js') return Promise.resolve(null);
  loading ??= import('@napi-rs/image').then((m) => (typeof m.Transformer === 'function' ? m : null), () => null);
  return loading;
}

/** libjpeg-turbo, loaded once; null where the optional package is missing or its binary refuses to load. */
export function turboJpeg(): Promise<JpegTurbo | null> {
  const only = process.env.SEMSLAM_DECODER;
  if (only === 'js' || only === 'napi') return Promise.resolve(null);
  loadingTurbo ??= import('@julusian/jpeg-turbo').then((m) => {
    // A CommonJS package: its exports arrive as the default export (and, by the lexer's reading, as names).
    const t = (m as unknown as { default?: JpegTurbo }).default ?? (m as unknown as JpegTurbo);
    return typeof t.decompressSync === 'function' ? t : null;
  }, () => null);
  return loadingTurbo;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** IHDR bit depth and colour type of a PNG, or null when the bytes are not one. */
export function pngHeader(bytes: Uint8Array): { bitDepth: number; colourType: number } | null {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  return { bitDepth: bytes[24], colourType: bytes[25] };
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Whether a JPEG ends with its end-of-image marker (after any zero padding). The native decoder fills a truncated
 * JPEG's missing rows without a word; one that does not end so goes to the JS decoder, which names the problem.
 */
function jpegIsComplete(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  return end >= 4 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

// Pixel layouts the decoder reports (its JsColorType): 8-bit grey, grey + alpha, RGB, RGBA, 16-bit grey.
const L8 = 0, LA8 = 1, RGB8 = 2, RGBA8 = 3, L16 = 4;
const CHANNELS8: Record<number, number> = { [L8]: 1, [LA8]: 2, [RGB8]: 3, [RGBA8]: 4 };

/** Decoded pixels and their layout, or null when the decoder refuses the bytes (the JS path then judges them). */
async function decode(bytes: Uint8Array): Promise<{ width: number; height: number; colorType: number; data: Uint8Array } | null> {
  const napi = await nativeDecoder();
  if (!napi) return null;
  try {
    const t = new napi.Transformer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // Reading the metadata decodes the image and keeps it, and the pixels then come from that: so on the main
    // thread the async metadata call takes the decode to libuv's pool (rawPixels() would decode it a second time).
    const { width, height, colorType } = isMainThread ? await t.metadata() : t.metadataSync();
    const data = t.rawPixelsSync();
    return { width, height, colorType, data };
  } catch {
    return null;
  }
}

/** A complete JPEG through libjpeg-turbo as RGB, or null where it is not loaded or refuses the bytes. */
async function turboRgb(bytes: Uint8Array): Promise<Raster8 | null> {
  const turbo = await turboJpeg();
  if (!turbo) return null;
  try {
    const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const options = { format: turbo.FORMAT_RGB };
    const r = isMainThread ? await turbo.decompress(src, options) : turbo.decompressSync(src, options);
    if (r.data.length !== r.width * r.height * 3) return null;
    // The frame must own its whole buffer to move it between threads: the binding allocates one of exactly this
    // size (never from Node's shared pool), and anything else is copied.
    const data = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.length);
    return { width: r.width, height: r.height, channels: 3, data: data.byteOffset === 0 && data.buffer.byteLength === data.length ? data : data.slice() };
  } catch {
    return null;
  }
}

/** 8-bit RGB natively, or null when this image is not one it decodes exactly (caller uses JS). */
export async function nativeRgb(bytes: Uint8Array): Promise<Raster8 | null> {
  const png = pngHeader(bytes);
  const jpeg = isJpeg(bytes) && jpegIsComplete(bytes);
  if (!(jpeg || (png && png.bitDepth <= 8))) return null;
  if (jpeg) {
    const turbo = await turboRgb(bytes);
    if (turbo) return turbo;
  }
  const img = await decode(bytes);
  const channels = img ? CHANNELS8[img.colorType] : undefined;
  if (!img || channels === undefined) return null;
  const n = img.width * img.height, src = img.data;
  if (src.length !== n * channels) return null;
  // A fresh array the frame owns (transferable between threads), colour kept and alpha dropped as the JS path does.
  const out = new Uint8Array(n * 3);
  if (channels === 3) out.set(src);
  else if (channels === 4) for (let i = 0, j = 0; i < n; i++, j += 4) { out[3 * i] = src[j]; out[3 * i + 1] = src[j + 1]; out[3 * i + 2] = src[j + 2]; }
  else for (let i = 0, j = 0; i < n; i++, j += channels) { const g = src[j]; out[3 * i] = g; out[3 * i + 1] = g; out[3 * i + 2] = g; }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** Single-channel 16-bit PNG natively (exact), or null when it is not one (caller uses JS and its errors). */
export async function nativePng16(bytes: Uint8Array): Promise<Raster16 | null> {
  const png = pngHeader(bytes);
  if (!png || png.bitDepth !== 16 || png.colourType !== 0) return null;
  const img = await decode(bytes);
  if (!img || img.colorType !== L16 || img.data.length !== img.width * img.height * 2) return null;
  // The decoder's samples are in this machine's byte order, as a Uint16Array reads them: a view of its buffer (its
  // own, not Node's shared pool) where aligned, a copy otherwise.
  const n = img.width * img.height, d = img.data;
  const whole = d.byteOffset === 0 && d.buffer.byteLength === d.length;
  let out: Uint16Array;
  if (whole) out = new Uint16Array(d.buffer, 0, n);
  else {
    out = new Uint16Array(n);
    new Uint8Array(out.buffer).set(d);
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}
