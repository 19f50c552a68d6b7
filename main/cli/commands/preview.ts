import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { writePng } from '../../io/image.js';
import type { Frame, SequenceReader } from '../../sources/frame.js';
import { openSequence } from '../../sources/open.js';
import { composePreview } from '../../synth/previewImage.js';
import { createSyntheticSequence, isSynthSpec, parseSynthSpec } from '../../synth/sequence.js';
import { printJson } from '../output.js';

function parseFrameList(value: string): number[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const out = items.map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 0)) throw new InputError('--frames', `expected comma-separated frame indices such as 0,50,100, got "${value}"`);
  return out;
}

export async function openForPreview(path: string): Promise<SequenceReader> {
  return isSynthSpec(path) ? createSyntheticSequence(parseSynthSpec(path)) : openSequence(path);
}

export function register(program: Command): void {
  program
    .command('preview')
    .description('Draw a few frames of a sequence (RGB, depth, exact depth, 40-class labels side by side) into a PNG')
    .argument('<sequence>', 'sequence folder, or a synthetic sequence such as synth:seed=3 (keys: seed, frames, size, noise, fps)')
    .option('--frames <list>', 'comma-separated frame indices', '0,100,200')
    .option('--out <file>', 'output PNG', 'preview.png')
    .option('--max-depth <m>', 'depth at the top of the colour map, metres', '5')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  semslam preview synth:seed=3 --frames 0,100,200 --out preview.png\n  semslam preview /tmp/synth-tum --frames 0,10 --out /tmp/p.png')
    .action(async (path: string, opts: { frames: string; out: string; maxDepth: string; json?: boolean }) => {
      const indices = parseFrameList(opts.frames);
      const maxDepth = Number(opts.maxDepth);
      if (!(maxDepth > 0)) throw new InputError('--max-depth', `expected a positive number, got "${opts.maxDepth}"`);
      const reader = await openForPreview(path);
      const bad = indices.find((i) => i >= reader.info.frames);
      if (bad !== undefined) throw new InputError(path, `has ${reader.info.frames} frames; frame ${bad} does not exist`);
      const frames: Frame[] = [];
      for (const i of indices) frames.push(await reader.read(i));
      const img = composePreview(frames, { maxDepth });
      await writePng(opts.out, img);
      const summary = { sequence: reader.info.path, format: reader.info.format, frames: indices, out: opts.out, width: img.width, height: img.height };
      if (opts.json) printJson(summary);
      else process.stderr.write(`wrote ${opts.out} (${img.width}x${img.height}, frames ${indices.join(', ')})\n`);
    });
}
