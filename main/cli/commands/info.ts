import type { Command } from 'commander';
import { formatSummary, summariseSequence } from '../../sources/sequenceSummary.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('Describe an RGB-D sequence folder: format, frames, size, intrinsics, ground truth, first-frame depth')
    .argument('<path>', 'sequence folder (NYU raw, TUM RGB-D, 7-Scenes, Redwood, ICL-NUIM, or a single colour/depth pair)')
    .option('--json', 'print one JSON document on stdout')
    .option('--skip-unmatched', 'TUM: skip rgb.txt entries without a depth frame within 0.02 s instead of failing')
    .addHelpText('after', '\nExamples:\n  semslam info ../shared/data/real/tum-single\n  semslam info ../shared/data/real/7scenes-redkitchen-150-199 --json')
    .action(async (path: string, opts: { json?: boolean; skipUnmatched?: boolean }) => {
      const summary = await summariseSequence(path, opts.skipUnmatched ? { tum: { unmatched: 'skip' } } : {});
      if (opts.json) printJson(summary);
      else process.stdout.write(formatSummary(summary));
    });
}
