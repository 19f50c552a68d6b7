import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { exportSession, framesUpTo, sessionMetadata, type SessionExportFormat } from '../../export/exportSession.js';
import { resolveDatabasePath } from '../../store/paths.js';
import { SessionStore } from '../../store/sessionStore.js';
import { printJson } from '../output.js';

interface ExportOptions {
  format: SessionExportFormat;
  ascii?: boolean;
  out: string;
  db?: string;
  minConfidence: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Write the latest map of a recorded session as a labelled point cloud (PLY or PCD), or map and trajectory as a ROS 2 bag (MCAP)')
    .argument('<session>', 'session id or name')
    .addOption(new Option('--format <format>', 'ply (x y z nx ny nz red green blue radius confidence label label_prob), '
      + 'pcd (PCL fields x y z normal_x normal_y normal_z rgb curvature label label_prob confidence radius) or mcap (a ROS 2 bag for Foxglove: '
      + '/semslam/pose, /semslam/path, /tf and /semslam/map, a PointCloud2 with x y z rgb label label_prob confidence)').choices(['ply', 'pcd', 'mcap']).default('ply'))
    .option('--ascii', 'PLY and PCD: text encoding instead of binary')
    .requiredOption('--out <file>', 'output file')
    .option('--db <file>', 'session database (default: ~/.local/share/semslam/sessions.db)')
    .option('--min-confidence <c>', 'leave out surfels below this fusion confidence', '0')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\n`label` is the fused 13-class id (0 unlabelled, 1 bed … 13 window; names in the PLY header).\n\n'
      + 'Examples:\n  semslam export kitchen --format pcd --out kitchen.pcd\n  semslam export 3 --format ply --ascii --out map.ply --db sessions.db --json\n'
      + '  semslam export kitchen --format mcap --out kitchen-semslam.mcap   (open it in Foxglove beside the recording)')
    .action(async (ref: string, opts: ExportOptions) => {
      const minConfidence = Number(opts.minConfidence);
      if (!(minConfidence >= 0)) throw new InputError('--min-confidence', `expected a number ≥ 0, got "${opts.minConfidence}"`);
      if (opts.ascii && opts.format === 'mcap') throw new InputError('--ascii', 'applies to PLY and PCD only (MCAP is binary)');
      const store = SessionStore.open(resolveDatabasePath(opts.db), { access: 'readonly' });
      try {
        const session = store.resolve(ref);
        const latest = store.loadLatestMap(session.id);
        if (!latest) throw new InputError(store.file, `session ${session.id} ("${session.name}") has no map snapshot yet`);
        const out = resolve(opts.out);
        const r = await exportSession(out, { map: latest.map, frames: opts.format === 'mcap' ? framesUpTo(store.frames(session.id), latest.info.frameIndex) : [] }, {
          format: opts.format, encoding: opts.ascii ? 'ascii' : 'binary', minConfidence,
          comments: [`session ${session.id} ${session.name}`, `source ${session.source}`, `mode ${session.mode}`, `frame ${latest.info.frameIndex}`],
          session: sessionMetadata(session, latest.info.frameIndex),
        });
        const doc = { database: store.file, session: session.id, name: session.name, snapshotFrame: latest.info.frameIndex, ...r };
        if (opts.json) printJson(doc);
        else process.stderr.write(`wrote ${r.surfels} surfels${r.format === 'mcap' ? ` and ${r.poses} poses` : ''} (${r.format}, ${r.encoding}, ${(r.bytes / 1e6).toFixed(2)} MB) to ${r.path}\n`);
      } finally {
        store.close();
      }
    });
}
