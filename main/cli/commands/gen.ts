import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { InputError } from '../../errors.js';
import { Y4mWriter } from '../../export/y4m.js';
import { createSequenceWriter, type WritableFormat } from '../../sources/writers.js';
import type { McapCompression, McapDepthEncoding } from '../../sources/mcapWriter.js';
import { parseRoomScale, writeLabelledSet } from '../../synth/dataset.js';
import { createSyntheticSequence, type SyntheticNoise } from '../../synth/sequence.js';
import { printJson } from '../output.js';

interface GenOptions {
  seed: string; frames: string; size: string; format: string; out?: string; noise: string;
  rooms: string; viewsPerRoom: string; roomSeedOffset: string; roomScale: string; labels: boolean; json?: boolean;
  compression: string; depthEncoding: string; compressedImages?: boolean; rawColour?: boolean;
  loop?: boolean; closePasses: string; covered: string;
}

function parseIntOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`--${name}`, `expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function parseSize(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) throw new InputError('--size', `expected WxH such as 640x480, got "${value}"`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function progressBar(total: number, unit: string): { update(done: number): void; stop(): void } {
  const started = performance.now();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `gen [{bar}] {value}/{total} ${unit} | {fps} FPS | ETA {eta_formatted}`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { fps: '0.0' });
  return {
    update(done: number) { bar.update(done, { fps: (done / ((performance.now() - started) / 1000)).toFixed(1) }); },
    stop() { bar.stop(); },
  };
}

export function register(program: Command): void {
  program
    .command('gen')
    .description('Generate a synthetic indoor RGB-D sequence (with labels, exact depth and poses) or a labelled training set')
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'random seed (the room of a sequence; the view sampler of a labelled set)', '0')
    .option('--frames <n>', 'frames in the sequence (nyu, tum)', '300')
    .option('--size <WxH>', 'image size', '640x480')
    .option('--format <format>', 'nyu (NYU Depth v2 raw), tum (TUM RGB-D), labelled (NYUDv2 labelled-set layout of independent views), y4m (the RGB frames as a YUV4MPEG2 video, e.g. for Chromium\'s fake camera; --out FILE.y4m), mcap (a ROS 2 bag; --out FILE.mcap) or klg (an ElasticFusion log; --out FILE.klg)', 'tum')
    .option('--compression <c>', 'mcap: chunk compression, zstd or none', 'zstd')
    .option('--depth-encoding <e>', 'mcap: depth images as 16UC1 (millimetres, what depth cameras publish) or 32FC1 (metres)', '16UC1')
    .option('--compressed-images', 'mcap: CompressedImage topics (JPEG colour, compressedDepth PNG) instead of raw Image')
    .option('--raw-colour', 'klg: uncompressed RGB instead of JPEG')
    .option('--noise <model>', 'sensor depth of sequences: kinect (Kinect-like noise) or none (exact)', 'kinect')
    .option('--loop', 'sequences: lap a closed tour of waypoints, revisiting the start once per lap (loop closure)')
    .option('--close-passes <n>', 'sequences: close-range passes (the camera steps up to a surface until most depth is below the sensor\'s range)', '0')
    .option('--covered <n>', 'sequences: one-second covered-camera intervals (dark image, no depth)', '0')
    .option('--rooms <n>', 'labelled: number of rooms', '10')
    .option('--views-per-room <n>', 'labelled: views rendered in each room', '20')
    .option('--room-seed-offset <n>', 'labelled: room r uses room seed offset + r (keep train and test ranges disjoint)', '0')
    .option('--room-scale <min[-max]>', 'labelled: scale each room\'s floor plan by a factor drawn from [min, max] (e.g. 1-1.8: far depths for a depth network)', '1')
    .option('--no-labels', 'labelled: omit segm_gt files (a depth-only set)')
    .option('--json', 'print one JSON summary on stdout')
    .addHelpText('after', [
      '',
      'Sequences carry labels40/ and depth_gt/ beside the sensor streams, plus groundtruth.txt and semslam.json.',
      'Examples:',
      '  semslam gen --seed 3 --frames 300 --format tum --out /tmp/synth-tum',
      '  semslam gen --seed 1 --frames 60 --size 320x240 --format nyu --out /tmp/synth-nyu',
      '  semslam gen --format labelled --rooms 50 --views-per-room 20 --room-seed-offset 1000 --out /tmp/synth-train',
      '  semslam gen --seed 1 --frames 90 --size 320x240 --format y4m --out /tmp/room.y4m   # a fake webcam for Chromium',
      '  semslam gen --seed 3 --frames 300 --format mcap --out /tmp/synth.mcap   # a ROS 2 bag with /ground_truth/pose',
      '  semslam gen --seed 3 --frames 300 --format klg --out /tmp/synth.klg     # + synth.camera.json, synth.groundtruth.txt',
      '  semslam gen --seed 0 --frames 1500 --loop --close-passes 2 --covered 1 --out /tmp/synth-hard   # the hard cases',
      'The hard intervals (frames [start, end)) are listed in semslam.json under generator.events and in --json.',
    ].join('\n'))
    .action(async (opts: GenOptions) => {
      const { width, height } = parseSize(opts.size);
      const seed = parseIntOption('seed', opts.seed, 0);
      const out = opts.out as string;
      const started = performance.now();
      if (opts.format === 'labelled') {
        const rooms = parseIntOption('rooms', opts.rooms, 1);
        const viewsPerRoom = parseIntOption('views-per-room', opts.viewsPerRoom, 1);
        const roomSeedOffset = parseIntOption('room-seed-offset', opts.roomSeedOffset, 0);
        const roomScale = parseRoomScaleOption(opts.roomScale);
        const bar = progressBar(rooms * viewsPerRoom, 'views');
        const meta = await writeLabelledSet(out, { seed, rooms, viewsPerRoom, roomSeedOffset, width, height, labels: opts.labels, roomScale }, (done) => bar.update(done));
        bar.stop();
        const seconds = (performance.now() - started) / 1000;
        const summary = { format: 'labelled', out, seed, rooms, viewsPerRoom, roomSeedOffset, roomScale, views: meta.ids.length, width, height, labels: opts.labels, seconds, fps: meta.ids.length / seconds };
        if (opts.json) printJson(summary);
        else process.stderr.write(`wrote ${meta.ids.length} views of ${rooms} rooms to ${out} in ${seconds.toFixed(1)} s\n`);
        return;
      }
      if (!['nyu', 'tum', 'y4m', 'mcap', 'klg'].includes(opts.format)) throw new InputError('--format', `expected nyu, tum, labelled, y4m, mcap or klg, got "${opts.format}"`);
      if (opts.compression !== 'zstd' && opts.compression !== 'none') throw new InputError('--compression', `expected zstd or none, got "${opts.compression}"`);
      if (opts.depthEncoding !== '16UC1' && opts.depthEncoding !== '32FC1') throw new InputError('--depth-encoding', `expected 16UC1 or 32FC1, got "${opts.depthEncoding}"`);
      if (opts.noise !== 'kinect' && opts.noise !== 'none') throw new InputError('--noise', `expected kinect or none, got "${opts.noise}"`);
      const frames = parseIntOption('frames', opts.frames, 1);
      const loop = opts.loop === true;
      const closePasses = parseIntOption('close-passes', opts.closePasses, 0);
      const covered = parseIntOption('covered', opts.covered, 0);
      const sequence = createSyntheticSequence({ seed, frames, width, height, noise: opts.noise as SyntheticNoise, loop, closePasses, covered });
      const events = sequence.events;
      const writer = opts.format === 'y4m'
        ? await Y4mWriter.create(out, width, height, 30)
        : await createSequenceWriter(opts.format as WritableFormat, out, {
          mcap: { compression: opts.compression as McapCompression, depthEncoding: opts.depthEncoding as McapDepthEncoding, images: opts.compressedImages ? 'compressed' : 'raw' },
          klg: { colour: opts.rawColour ? 'raw' : 'jpeg' },
          intrinsics: sequence.info.intrinsics,
          fps: 30,
          generator: { tool: 'semslam gen', seed, frames, noise: opts.noise, room: sequence.room.kind, loop, closePasses, covered, events },
        });
      const bar = progressBar(frames, 'frames');
      let done = 0;
      for await (const frame of sequence.frames()) {
        await writer.write(frame);
        bar.update(++done);
      }
      await writer.close();
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      const summary = { format: opts.format, out: writer.path, seed, frames, width, height, noise: opts.noise, room: sequence.room.kind, loop, closePasses, covered, events, seconds, fps: frames / seconds };
      if (opts.json) printJson(summary);
      else process.stderr.write(`wrote ${frames} frames of a synthetic ${sequence.room.kind} to ${writer.path} in ${seconds.toFixed(1)} s\n`);
    });
}

/** `--room-scale` as an InputError naming the option (the parsing is the dataset's). */
function parseRoomScaleOption(v: string): [number, number] {
  try { return parseRoomScale(v); } catch (e) { throw new InputError('--room-scale', (e as Error).message); }
}
