import type { Command } from 'commander';
import { formatSummary, summariseSequence } from '../../sources/sequenceSummary.js';
import { printJson } from '../output.js';
import { addSourceOptions, sourceOpenOptions, type SourceFlags } from '../sourceOptions.js';

export function register(program: Command): void {
  addSourceOptions(program
    .command('info')
    .description('Describe an RGB-D sequence: format, frames, size, intrinsics, ground truth, first-frame depth; a bag\'s topics')
    .argument('<path>', 'sequence folder (NYU raw, TUM RGB-D, 7-Scenes, Redwood, ICL-NUIM, or a single colour/depth pair), ROS 2 bag (.mcap or rosbag2 folder) or ElasticFusion .klg log'))
    .option('--json', 'print one JSON document on stdout')
    .option('--skip-unmatched', 'TUM: skip rgb.txt entries without a depth frame within 0.02 s instead of failing')
    .addHelpText('after', '\nExamples:\n  semslam info ../shared/data/real/tum-single\n  semslam info ../shared/data/real/7scenes-redkitchen-150-199 --json\n'
      + '  semslam info recording.mcap --rgb-topic /camera/color/image_raw\n  semslam info my-tum-layout-folder --intrinsics 615.2,615.4,320.1,241.7 --depth-scale 1000')
    .action(async (path: string, opts: { json?: boolean; skipUnmatched?: boolean } & SourceFlags) => {
      const open = await sourceOpenOptions(opts);
      const summary = await summariseSequence(path, opts.skipUnmatched ? { ...open, tum: { unmatched: 'skip' } } : open);
      if (opts.json) printJson(summary);
      else process.stdout.write(formatSummary(summary));
    });
}
