import { readFile, writeFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { fileError } from './files.js';

/**
 * Binary Netpbm codec: P5 (greyscale) and P6 (RGB), 8-bit (maxval < 256) and 16-bit (maxval < 65536).
 * The Netpbm standard stores 16-bit samples big-endian; the NYU Depth v2 raw dump stores them
 * little-endian, so the byte order of 16-bit samples is an explicit choice of the caller.
 */
export type SampleByteOrder = 'big' | 'little';

export interface PnmImage {
  readonly magic: 'P5' | 'P6';
  readonly width: number;
  readonly height: number;
  readonly maxval: number;
  readonly channels: 1 | 3;
  /** Row-major interleaved samples: Uint8Array when maxval < 256, else Uint16Array. */
  readonly data: Uint8Array | Uint16Array;
}

export interface PnmDecodeOptions {
  /** Byte order of 16-bit samples. Default 'big' (the Netpbm standard). */
  readonly byteOrder?: SampleByteOrder;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Reads the header tokens (magic, width, height, maxval), skipping `#` comments. */
function parseHeader(path: string, bytes: Uint8Array): { magic: 'P5' | 'P6'; width: number; height: number; maxval: number; dataOffset: number } {
  if (bytes.length < 2) throw new InputError(path, `truncated PNM: ${bytes.length} bytes, no header`);
  const magic = String.fromCharCode(bytes[0], bytes[1]);
  if (magic !== 'P5' && magic !== 'P6') {
    const shown = JSON.stringify(String.fromCharCode(...bytes.subarray(0, Math.min(2, bytes.length))));
    throw new InputError(path, `wrong magic ${shown}: expected binary PGM "P5" or PPM "P6"`);
  }
  let pos = 2;
  const fields: number[] = [];
  const names = ['width', 'height', 'maxval'];
  while (fields.length < 3) {
    // Whitespace and comments between tokens.
    while (pos < bytes.length) {
      if (isSpace(bytes[pos])) pos++;
      else if (bytes[pos] === 0x23) { while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++; }
      else break;
    }
    if (pos >= bytes.length) throw new InputError(path, `truncated PNM header: missing ${names[fields.length]}`);
    const start = pos;
    while (pos < bytes.length && !isSpace(bytes[pos]) && bytes[pos] !== 0x23) pos++;
    const token = String.fromCharCode(...bytes.subarray(start, pos));
    if (!/^\d+$/.test(token)) throw new InputError(path, `bad PNM header: ${names[fields.length]} is ${JSON.stringify(token)}, expected a positive integer`);
    fields.push(Number(token));
  }
  const [width, height, maxval] = fields;
  if (width < 1 || height < 1) throw new InputError(path, `bad PNM header: size ${width}×${height}`);
  if (maxval < 1 || maxval > 65535) throw new InputError(path, `bad PNM header: maxval ${maxval} outside 1..65535`);
  // Exactly one whitespace byte separates the header from the raster.
  if (pos >= bytes.length || !isSpace(bytes[pos])) throw new InputError(path, 'bad PNM header: no whitespace after maxval');
  return { magic, width, height, maxval, dataOffset: pos + 1 };
}

export function decodePnm(path: string, bytes: Uint8Array, options: PnmDecodeOptions = {}): PnmImage {
  const byteOrder = options.byteOrder ?? 'big';
  const { magic, width, height, maxval, dataOffset } = parseHeader(path, bytes);
  const channels = magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const bytesPerSample = maxval < 256 ? 1 : 2;
  const need = count * bytesPerSample;
  const have = bytes.length - dataOffset;
  if (have < need) {
    throw new InputError(path, `truncated ${magic}: ${width}×${height} maxval ${maxval} needs ${need} raster bytes, file has ${have}`);
  }
  if (bytesPerSample === 1) {
    return { magic, width, height, maxval, channels, data: Uint8Array.from(bytes.subarray(dataOffset, dataOffset + need)) };
  }
  const data = new Uint16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, need);
  const little = byteOrder === 'little';
  for (let i = 0; i < count; i++) data[i] = view.getUint16(i * 2, little);
  return { magic, width, height, maxval, channels, data };
}

export interface PnmEncodeOptions {
  /** Byte order of 16-bit samples. Default 'big' (the Netpbm standard). */
  readonly byteOrder?: SampleByteOrder;
  /** Defaults to 255 for Uint8Array data and 65535 for Uint16Array data. */
  readonly maxval?: number;
}

export function encodePnm(
  image: { width: number; height: number; channels: 1 | 3; data: Uint8Array | Uint16Array },
  options: PnmEncodeOptions = {},
): Uint8Array {
  const { width, height, channels, data } = image;
  const wide = data instanceof Uint16Array;
  const maxval = options.maxval ?? (wide ? 65535 : 255);
  if (wide !== maxval >= 256) throw new Error(`encodePnm: maxval ${maxval} does not fit ${wide ? '16' : '8'}-bit samples`);
  const count = width * height * channels;
  if (data.length !== count) throw new Error(`encodePnm: ${data.length} samples for ${width}×${height}×${channels}`);
  const header = new TextEncoder().encode(`${channels === 3 ? 'P6' : 'P5'}\n${width} ${height}\n${maxval}\n`);
  const out = new Uint8Array(header.length + count * (wide ? 2 : 1));
  out.set(header, 0);
  if (!wide) {
    out.set(data, header.length);
  } else {
    const view = new DataView(out.buffer, header.length);
    const little = (options.byteOrder ?? 'big') === 'little';
    for (let i = 0; i < count; i++) view.setUint16(i * 2, data[i], little);
  }
  return out;
}

export async function readPnm(path: string, options: PnmDecodeOptions = {}): Promise<PnmImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
  return decodePnm(path, bytes, options);
}

export async function writePnm(
  path: string,
  image: { width: number; height: number; channels: 1 | 3; data: Uint8Array | Uint16Array },
  options: PnmEncodeOptions = {},
): Promise<void> {
  await writeFile(path, encodePnm(image, options));
}
