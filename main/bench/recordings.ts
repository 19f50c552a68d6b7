/**
 * The same generated 640×480 frames written in every recording format we read, for `bench sources`: a TUM
 * folder (the folder readers' baseline), ROS 2 bags (raw Image 16UC1 with zstd chunks and uncompressed;
 * CompressedImage JPEG + compressedDepth PNG) and .klg logs (JPEG + zlib as the loggers write, and raw).
 */
import { join } from 'node:path';
import { createSyntheticSequence } from '../synth/sequence.js';
import type { SequenceWriter } from '../sources/writers.js';
import { createSequenceWriter } from '../sources/writers.js';

export interface BenchRecording {
  readonly label: string;
  readonly path: string;
}

export async function writeBenchRecordings(dir: string, frames: number): Promise<BenchRecording[]> {
  const seq = createSyntheticSequence({ seed: 5, frames, width: 640, height: 480 });
  const intrinsics = seq.info.intrinsics;
  const outputs: [BenchRecording, Promise<SequenceWriter>][] = [
    [{ label: 'TUM folder (PNG)', path: join(dir, 'tum') }, createSequenceWriter('tum', join(dir, 'tum'), { intrinsics })],
    [{ label: 'MCAP raw, zstd', path: join(dir, 'raw-zstd.mcap') }, createSequenceWriter('mcap', join(dir, 'raw-zstd.mcap'), { intrinsics })],
    [{ label: 'MCAP raw, uncompressed', path: join(dir, 'raw.mcap') }, createSequenceWriter('mcap', join(dir, 'raw.mcap'), { intrinsics, mcap: { compression: 'none' } })],
    [{ label: 'MCAP JPEG + PNG depth', path: join(dir, 'compressed.mcap') }, createSequenceWriter('mcap', join(dir, 'compressed.mcap'), { intrinsics, mcap: { images: 'compressed', compression: 'none' } })],
    [{ label: 'klg JPEG + zlib', path: join(dir, 'jpeg.klg') }, createSequenceWriter('klg', join(dir, 'jpeg.klg'), { intrinsics })],
    [{ label: 'klg raw RGB + zlib', path: join(dir, 'raw.klg') }, createSequenceWriter('klg', join(dir, 'raw.klg'), { intrinsics, klg: { colour: 'raw' } })],
  ];
  const writers = await Promise.all(outputs.map(([, w]) => w));
  for await (const frame of seq.frames()) {
    // Without labels and exact depth: what a camera records.
    const sensor = { ...frame, labels40: undefined, depthGroundTruth: undefined };
    for (const w of writers) await w.write(sensor);
  }
  for (const w of writers) await w.close();
  return outputs.map(([r]) => r);
}
