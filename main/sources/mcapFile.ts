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

/** Decompressed chunks kept at most (by count and by bytes): a frame's messages span one or two chunks. */
const DECOMPRESSED_CHUNKS = 4;
const DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * Decompressed chunks keyed by their compressed bytes. The indexed reader copies a chunk's records out of
 * the file read every time it loads the chunk (parseChunk), so neither the buffer nor its offset identifies
 * a chunk twice; equal length and equal bytes do, and comparing them (memcmp) costs a small fraction of
 * decompressing again. Without this, each frame read decompresses its chunks anew, and a frame whose colour
 * and depth straddle two chunks pays for both.
 */
export class DecompressedChunkCache {
  private readonly entries: { compressed: Uint8Array; size: bigint; out: Uint8Array }[] = [];
  /** Decompressions done and avoided (tests and benchmarks read them). */
  misses = 0;
  hits = 0;

  constructor(private readonly maxEntries = DECOMPRESSED_CHUNKS, private readonly maxBytes = DECOMPRESSED_BYTES) {}

  wrap(handlers: Record<string, Decompress>): Record<string, Decompress> {
    const out: Record<string, Decompress> = {};
    for (const [name, fn] of Object.entries(handlers)) out[name] = (buffer, size) => this.get(buffer, size) ?? this.put(buffer, size, fn(buffer, size));
    return out;
  }

  private get(compressed: Uint8Array, size: bigint): Uint8Array | undefined {
    for (let k = 0; k < this.entries.length; k++) {
      const e = this.entries[k];
      if (e.size !== size || e.compressed.byteLength !== compressed.byteLength || Buffer.compare(e.compressed, compressed) !== 0) continue;
      if (k > 0) this.entries.unshift(...this.entries.splice(k, 1));
      this.hits++;
      return e.out;
    }
    return undefined;
  }

  private put(compressed: Uint8Array, size: bigint, out: Uint8Array): Uint8Array {
    this.misses++;
    // The reader's copy of the records is not used again by it, so keeping it costs no further copy.
    this.entries.unshift({ compressed, size, out });
    let bytes = 0;
    for (let k = 0; k < this.entries.length; k++) {
      bytes += this.entries[k].compressed.byteLength + this.entries[k].out.byteLength;
      if (k >= this.maxEntries || (k > 0 && bytes > this.maxBytes)) { this.entries.length = k; break; }
    }
    return out;
  }
}

export interface OpenedMcap {
  readonly reader: McapIndexedReader;
  readonly bytes: number;
  readonly chunks: DecompressedChunkCache;
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
    const chunks = new DecompressedChunkCache();
    try {
      reader = await McapIndexedReader.Initialize({
        readable: new CachingFileReadable(fh, BigInt(bytes)),
        decompressHandlers: chunks.wrap(await loadDecompressHandlers()),
      });
    } catch (e) {
      throw new InputError(path, `cannot read the MCAP index: ${(e as Error).message}. The file is probably truncated `
        + '(a recording that did not finish) or was written without a summary; `mcap recover` (MCAP CLI) rewrites it with one');
    }
    return { reader, bytes, chunks, close: () => fh.close() };
  });
}
