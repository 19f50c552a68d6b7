import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * `npm run bench -- peer [--size WxH] [--max-frames N] [SEQUENCE...]`: semslam vs Open3D RGB-D odometry side by
 * side (scripts/peer/compare.sh). Without sequences it uses the bundled 7-Scenes frames at 320×240.
 * Needs python3-open3d (apt-get install -y python3-open3d).
 */
export async function main(argv: string[]): Promise<void> {
  const hasSequence = argv.some((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
  const args = hasSequence ? argv : ['--size', '320x240', ...argv, resolve(process.cwd(), '../shared/data/real/7scenes-redkitchen-150-199')];
  const code = await new Promise<number>((done) => {
    spawn('bash', [resolve(process.cwd(), 'scripts/peer/compare.sh'), ...args], { stdio: 'inherit' }).on('close', (c) => done(c ?? 1));
  });
  process.exitCode = code;
}
