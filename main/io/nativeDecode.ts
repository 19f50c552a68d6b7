/**
 * PNG and JPEG decoding through libvips (sharp): several times faster than the pure-JS decoders, and it runs on
 * libuv's thread pool, so a reader that keeps a few reads in flight decodes off the calling thread.
 * sharp's prebuilt binary comes as an npm package (@img/sharp-<platform>); where it cannot load, callers fall
 * back to the JS decoders (`nativeDecoder()` resolves to null). Only what libvips gives back exactly is taken
 * from it: 8-bit colour without an ICC profile (PNG) or JPEG, and single-channel 16-bit PNG.
 */
import type { SharpConstructor } from 'sharp';
import type { Raster16, Raster8 } from './image.js';

type Sharp = SharpConstructor;
let loading: Promise<Sharp | null> | undefined;

/** sharp, loaded once; null where its native binary is missing or refuses to load. */
export function nativeDecoder(): Promise<Sharp | null> {
  // SEMSLAM_DECODER=js: the pure-JS decoders only (to measure what the native ones save).
  if (process.env.SEMSLAM_DECODER === 'js') return Promise.resolve(null);
  loading ??= import('sharp').then((m) => {
    const sharp: Sharp = m.default;
    // One libvips thread per image: frames are decoded in parallel by keeping several in flight, and the
    // fusion's threads need the cores. No operation cache: every frame is new.
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  }, () => null);
  return loading;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** IHDR bit depth and colour type of a PNG, or null when the bytes are not one (or carry an ICC profile). */
export function pngHeader(bytes: Uint8Array): { bitDepth: number; colourType: number; hasIcc: boolean } | null {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  // iCCP would make libvips colour-manage the pixels; it must come before IDAT, so scanning the chunks up to
  // the first IDAT finds it.
  let hasIcc = false;
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    if (type === 'IDAT') break;
    if (type === 'iCCP') hasIcc = true;
    o += 12 + len;
  }
  return { bitDepth: bytes[24], colourType: bytes[25], hasIcc };
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Copies a Buffer's bytes into typed arrays that own their memory (transferable to other threads). */
function ownBytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}
function ownUint16(buf: Uint8Array): Uint16Array {
  const out = new Uint16Array(buf.length >> 1);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 2));
  return out;
}

/** 8-bit RGB through libvips, or null when this image is not one it decodes exactly (caller uses JS). */
export async function nativeRgb(bytes: Uint8Array): Promise<Raster8 | null> {
  const png = pngHeader(bytes);
  if (!(isJpeg(bytes) || (png && png.bitDepth <= 8 && !png.hasIcc))) return null;
  const sharp = await nativeDecoder();
  if (!sharp) return null;
  try {
    // A colour JPEG decodes straight to 3-channel sRGB; the conversion steps (a pipeline stage each, ~20 % of
    // a 640×480 decode) are only for what does not: grey or CMYK JPEGs, PNGs with grey or alpha.
    const direct = isJpeg(bytes) ? await sharp(bytes, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true }) : null;
    const { data, info } = direct?.info.channels === 3 ? direct
      : await sharp(bytes, { failOn: 'error' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return null;
    return { width: info.width, height: info.height, channels: 3, data: ownBytes(data) };
  } catch {
    return null;
  }
}

/** Single-channel 16-bit PNG through libvips (exact), or null when it is not one (caller uses JS and its errors). */
export async function nativePng16(bytes: Uint8Array): Promise<Raster16 | null> {
  const png = pngHeader(bytes);
  if (!png || png.bitDepth !== 16 || png.colourType !== 0) return null;
  const sharp = await nativeDecoder();
  if (!sharp) return null;
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' }).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) return null;
    return { width: info.width, height: info.height, channels: 1, data: ownUint16(data) };
  } catch {
    return null;
  }
}
