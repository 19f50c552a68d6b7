import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { hasMcapPrefix, McapIndexedReader, MCAP_MAGIC } from '@mcap/core';
import type { McapTypes } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { InputError } from '../errors.js';
import { closeOnFailure, openForReading } from '../io/files.js';

/**
 * Opening an MCAP file for random access: the MCAP library's indexed reader over a file readable that
 * keeps the last few chunk reads and their decompressed bytes. Frames are read one at a time (read(i)),
 * and several frames usually share a chunk: without the cache each frame would decompress its chunk
 * again. The library's FileHandleReadable reuses one buffer for every read, which a cache cannot keep.
 */
const CACHED_READS = 6;
const CACHE_MIN_BYTES = 64 * 1024;

class CachingFileReadable implements McapTypes.IReadable {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly handle: FileHandle, private readonly bytes: bigint) {}

  async size(): Promise<bigint> { return this.bytes; }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    const key = `${offset}:${length}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    if (offset + length > this.bytes) throw new Error(`read past the end of the file (offset ${offset}, length ${length}, file ${this.bytes} bytes)`);
    const out = new Uint8Array(Number(length));
    const { bytesRead } = await this.handle.read(out, 0, out.length, Number(offset));
    if (bytesRead !== out.length) throw new Error(`read ${bytesRead} of ${out.length} bytes at offset ${offset}`);
    // Only chunk-sized reads are worth keeping (small ones are message indexes and records).
    if (out.length >= CACHE_MIN_BYTES) {
      this.cache.set(key, out);
      if (this.cache.size > CACHED_READS) this.cache.delete(this.cache.keys().next().value!);
    }
    return out;
  }
}

type Decompress = (buffer: Uint8Array, size: bigint) => Uint8Array;

/** Decompressed bytes keyed by the compressed bytes' backing buffer, which CachingFileReadable keeps alive while cached. */
function memoised(handlers: Record<string, Decompress>): Record<string, Decompress> {
  const memo = new WeakMap<ArrayBufferLike, { offset: number; out: Uint8Array }>();
  const out: Record<string, Decompress> = {};
  for (const [name, fn] of Object.entries(handlers)) {
    out[name] = (buffer, size) => {
      const hit = memo.get(buffer.buffer);
      if (hit && hit.offset === buffer.byteOffset) return hit.out;
      const result = fn(buffer, size);
      memo.set(buffer.buffer, { offset: buffer.byteOffset, out: result });
      return result;
    };
  }
  return out;
}

export interface OpenedMcap {
  readonly reader: McapIndexedReader;
  readonly bytes: number;
  close(): Promise<void>;
}

/** True when the file starts with the MCAP magic bytes. */
export async function isMcapFile(path: string): Promise<boolean> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const head = new Uint8Array(MCAP_MAGIC.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && hasMcapPrefix(new DataView(head.buffer));
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

/** Opens an indexed MCAP file; every failure is an InputError naming the file and what is wrong. */
export async function openMcap(path: string): Promise<OpenedMcap> {
  return closeOnFailure(await openForReading(path), async (fh) => {
    const bytes = (await fh.stat()).size;
    const head = new Uint8Array(Math.min(bytes, MCAP_MAGIC.length));
    await fh.read(head, 0, head.length, 0);
    if (head.length < MCAP_MAGIC.length || !hasMcapPrefix(new DataView(head.buffer))) {
      throw new InputError(path, bytes === 0 ? 'empty file' : 'not an MCAP file (no MCAP magic bytes at the start)');
    }
    let reader: McapIndexedReader;
    try {
      reader = await McapIndexedReader.Initialize({
        readable: new CachingFileReadable(fh, BigInt(bytes)),
        decompressHandlers: memoised(await loadDecompressHandlers()),
      });
    } catch (e) {
      throw new InputError(path, `cannot read the MCAP index: ${(e as Error).message}. The file is probably truncated `
        + '(a recording that did not finish) or was written without a summary; `mcap recover` (MCAP CLI) rewrites it with one');
    }
    return { reader, bytes, close: () => fh.close() };
  });
}
