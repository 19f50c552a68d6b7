import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import type { Frame } from '../../main/sources/frame.js';
import { DecompressedChunkCache, openMcap } from '../../main/sources/mcapFile.js';
import { McapSequenceWriter, TOPICS } from '../../main/sources/mcapWriter.js';

const W = 96, H = 64;
const K: Intrinsics = { width: W, height: H, fx: 90, fy: 90, cx: 47.5, cy: 31.5 };

function frame(index: number): Frame {
  const rgb = new Uint8Array(W * H * 3), depth = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) {
    rgb[p * 3] = (p * 7 + index * 13) & 255; rgb[p * 3 + 1] = (p * 3 + index) & 255; rgb[p * 3 + 2] = (index * 40 + p) & 255;
    depth[p] = (500 + ((p * 31 + index * 7) % 3000)) / 1000;
  }
  return { index, timestamp: 100 + index / 30, width: W, height: H, rgb, depth, intrinsics: K };
}

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-mcapfile-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('decompressed chunk cache', () => {
  const decompress = (calls: number[]) => ({ zstd: (b: Uint8Array) => { calls.push(b[0]); return b.map((v) => v + 1); } });

  it('recognises a chunk by its bytes, not by the buffer that carries them', () => {
    const calls: number[] = [];
    const h = new DecompressedChunkCache().wrap(decompress(calls));
    const a = h.zstd(new Uint8Array([1, 2, 3]), 3n);
    // A fresh copy of the same bytes (what the MCAP reader passes each time it loads the chunk) is a hit.
    expect(h.zstd(new Uint8Array([1, 2, 3]), 3n)).toBe(a);
    // Same length, other bytes: decompressed.
    expect(Array.from(h.zstd(new Uint8Array([1, 2, 4]), 3n))).toEqual([2, 3, 5]);
    // Same bytes, other declared size: not the same chunk.
    h.zstd(new Uint8Array([1, 2, 3]), 4n);
    expect(calls).toEqual([1, 1, 1]);
  });

  it('keeps the most recently used chunks, by count and by bytes', () => {
    const calls: number[] = [];
    const cache = new DecompressedChunkCache(2, 1 << 20);
    const h = cache.wrap(decompress(calls));
    for (const k of [1, 2, 1, 3]) h.zstd(new Uint8Array([k, 0]), 2n);
    // 1 was used after 2, so 3 evicted 2.
    h.zstd(new Uint8Array([1, 0]), 2n);
    h.zstd(new Uint8Array([2, 0]), 2n);
    expect(calls).toEqual([1, 2, 3, 2]);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 4 });

    const small = new DecompressedChunkCache(8, 10);
    const hs = small.wrap(decompress([]));
    hs.zstd(new Uint8Array(4).fill(1), 4n);
    hs.zstd(new Uint8Array(4).fill(2), 4n); // 16 bytes with the first: over the limit, the first goes
    hs.zstd(new Uint8Array(4).fill(2), 4n);
    hs.zstd(new Uint8Array(4).fill(1), 4n);
    expect({ hits: small.hits, misses: small.misses }).toEqual({ hits: 1, misses: 3 });
  });

  it('reading a zstd bag frame after frame decompresses each chunk once, though frames straddle chunks', async () => {
    const path = join(root, 'straddle.mcap');
    // Chunks of a frame and a bit: chunk boundaries fall inside frames, so frames share chunks and straddle them.
    const w = await McapSequenceWriter.create(path, { intrinsics: K, fps: 30, chunkSize: W * H * 6 });
    for (let i = 0; i < 8; i++) await w.write(frame(i));
    await w.close();
    const file = await openMcap(path);
    try {
      const chunks = file.reader.chunkIndexes.length;
      expect(chunks).toBeGreaterThan(2);
      const stamps: bigint[] = [];
      for await (const m of file.reader.readMessages({ topics: [TOPICS.colour] })) stamps.push(m.logTime);
      expect(stamps.length).toBe(8);
      file.chunks.misses = 0;
      file.chunks.hits = 0;
      // What McapSequenceReader.read(i) does: a time-bounded pass for the frame's colour and depth.
      for (const t of stamps) {
        let n = 0;
        for await (const m of file.reader.readMessages({ topics: [TOPICS.colour, TOPICS.depth], startTime: t, endTime: t, validateCrcs: false })) n += m.data.length > 0 ? 1 : 0;
        expect(n).toBe(2);
      }
      expect(file.chunks.misses).toBe(chunks);
      expect(file.chunks.hits).toBeGreaterThan(0);
    } finally {
      await file.close();
    }
  });
});
