import { readFile, writeFile } from 'node:fs/promises';
import { decode as decodePng, encode as encodePng, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';
import { InputError } from '../errors.js';
import { nativePng16, nativeRgb } from './nativeDecode.js';
import { fileError } from './files.js';

/** A decoded raster: row-major, interleaved channels. */
export interface Raster8 {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}
export interface Raster16 {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint16Array;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
}

function decodePngOrThrow(path: string, bytes: Uint8Array) {
  try {
    return decodePng(bytes);
  } catch (e) {
    throw new InputError(path, `unreadable PNG (${(e as Error).message})`);
  }
}

/** Decodes an 8-bit PNG to RGB (palette expanded, alpha and grey handled). */
export function decodePngRgb(path: string, bytes: Uint8Array): Raster8 {
  const png = decodePngOrThrow(path, bytes);
  if (png.depth === 16) throw new InputError(path, 'expected an 8-bit colour PNG, found 16-bit');
  let src = png.data as Uint8Array;
  let channels = png.channels;
  if (png.palette) {
    src = convertIndexedToRgb(png) as Uint8Array;
    channels = png.palette[0]?.length ?? 3;
  }
  const n = png.width * png.height;
  if (channels === 3) return { width: png.width, height: png.height, channels: 3, data: src };
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const g = src[i * channels];
      out[i * 3] = g; out[i * 3 + 1] = g; out[i * 3 + 2] = g;
    } else {
      out[i * 3] = src[i * channels]; out[i * 3 + 1] = src[i * channels + 1]; out[i * 3 + 2] = src[i * channels + 2];
    }
  }
  return { width: png.width, height: png.height, channels: 3, data: out };
}

/** Decodes a single-channel 16-bit PNG exactly (depth images). */
export function decodePng16(path: string, bytes: Uint8Array): Raster16 {
  const png = decodePngOrThrow(path, bytes);
  if (png.depth !== 16) throw new InputError(path, `expected a 16-bit depth PNG, found ${png.depth}-bit`);
  if (png.channels !== 1) throw new InputError(path, `expected a single-channel depth PNG, found ${png.channels} channels`);
  return { width: png.width, height: png.height, channels: 1, data: png.data as Uint16Array };
}

/** Decodes a single-channel 8-bit PNG exactly (label images). Palette PNGs yield their indices. */
export function decodePng8(path: string, bytes: Uint8Array): Raster8 {
  const png = decodePngOrThrow(path, bytes);
  if (png.depth > 8) throw new InputError(path, `expected an 8-bit label PNG, found ${png.depth}-bit`);
  if (png.channels !== 1) throw new InputError(path, `expected a single-channel label PNG, found ${png.channels} channels`);
  let data = png.data as Uint8Array;
  if (png.depth < 8) {
    // Sub-byte greyscale/indexed rows are packed; unpack to one byte per pixel.
    const bits = png.depth;
    const rowBytes = Math.ceil((png.width * bits) / 8);
    const out = new Uint8Array(png.width * png.height);
    const mask = (1 << bits) - 1;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const bit = x * bits;
        out[y * png.width + x] = (data[y * rowBytes + (bit >> 3)] >> (8 - bits - (bit & 7))) & mask;
      }
    }
    data = out;
  }
  return { width: png.width, height: png.height, channels: 1, data };
}

export function decodeJpegRgb(path: string, bytes: Uint8Array): Raster8 {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new InputError(path, `unreadable JPEG (${(e as Error).message})`);
  }
  return { width: img.width, height: img.height, channels: 3, data: img.data };
}

/**
 * Reads an 8-bit RGB image, PNG or JPEG by content: natively (nativeDecode.ts) where it decodes the
 * file exactly, else, and for every error message, the JS decoders.
 */
export async function readRgbImage(path: string): Promise<Raster8> {
  const bytes = await readBytes(path);
  const native = await nativeRgb(bytes);
  if (native) return native;
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpegRgb(path, bytes);
  return decodePngRgb(path, bytes);
}

/** Reads a single-channel 16-bit PNG exactly (natively where possible, as readRgbImage). */
export async function readPng16(path: string): Promise<Raster16> {
  const bytes = await readBytes(path);
  return (await nativePng16(bytes)) ?? decodePng16(path, bytes);
}

export async function readPng8(path: string): Promise<Raster8> {
  return decodePng8(path, await readBytes(path));
}

export function encodePngRaster(img: Raster8 | Raster16): Uint8Array {
  return encodePng({
    width: img.width,
    height: img.height,
    data: img.data,
    depth: img.data instanceof Uint16Array ? 16 : 8,
    channels: img.channels,
  });
}

export async function writePng(path: string, img: Raster8 | Raster16): Promise<void> {
  await writeFile(path, encodePngRaster(img));
}

export { readBytes };

/** Width and height from a PNG's IHDR chunk, reading only the first bytes of the file. */
export async function readPngSize(path: string): Promise<{ width: number; height: number }> {
  const { open } = await import('node:fs/promises');
  let header: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      header = new Uint8Array(24);
      const { bytesRead } = await fh.read(header, 0, 24, 0);
      header = header.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw fileError(path, e);
  }
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (header.length < 24 || sig.some((b, i) => header[i] !== b) || String.fromCharCode(...header.subarray(12, 16)) !== 'IHDR') {
    throw new InputError(path, 'unreadable PNG (no PNG signature and IHDR header)');
  }
  const view = new DataView(header.buffer, header.byteOffset, 24);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
