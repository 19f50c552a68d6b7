import type { Command } from 'commander';
import { sessionJson, sessionLine } from '../../store/describe.js';
import { SessionStore } from '../../store/sessionStore.js';
import { defaultDatabasePath, resolveDatabasePath } from '../../store/paths.js';
import { printJson } from '../output.js';

interface DbOptions { db?: string; json?: boolean }

export function register(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('List, rename and delete recorded mapping sessions in the session database')
    .addHelpText('after', `\nThe default database is ${defaultDatabasePath()} (--db FILE to choose another).\n`
      + 'SESSION is a session id or its name.\n\nExamples:\n  semslam sessions list\n  semslam sessions rename 3 kitchen\n  semslam sessions delete kitchen --json');
  sessions
    .command('list')
    .description('List sessions, newest first')
    .option('--db <file>', 'session database')
    .option('--json', 'print one JSON document on stdout')
    .action((opts: DbOptions) => {
      const store = SessionStore.open(resolveDatabasePath(opts.db), { access: 'readonly' });
      try {
        const list = store.list();
        if (opts.json) printJson({ database: store.file, sessions: list.map(sessionJson) });
        else if (list.length === 0) process.stderr.write(`no sessions in ${store.file}\n`);
        else process.stdout.write(`${list.map(sessionLine).join('\n')}\n`);
      } finally {
        store.close();
      }
    });
  sessions
    .command('show')
    .description('Show one session: configuration, timings, snapshots')
    .argument('<session>', 'session id or name')
    .option('--db <file>', 'session database')
    .option('--json', 'print one JSON document on stdout')
    .action((ref: string, opts: DbOptions) => {
      const store = SessionStore.open(resolveDatabasePath(opts.db), { access: 'readonly' });
      try {
        const s = store.resolve(ref);
        const snapshots = store.snapshots(s.id);
        const doc = { database: store.file, session: sessionJson(s), timings: s.timings, snapshots };
        if (opts.json) printJson(doc);
        else {
          process.stdout.write(`${sessionLine(s)}\n`);
          if (s.timings) process.stdout.write(`  mean ms: ${Object.entries(s.timings.meanMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}\n`);
          for (const snap of snapshots) process.stdout.write(`  snapshot at frame ${snap.frameIndex}: ${snap.count} surfels, ${(snap.bytes / 1e6).toFixed(2)} MB\n`);
        }
      } finally {
        store.close();
      }
    });
  sessions
    .command('rename')
    .description('Rename a session')
    .argument('<session>', 'session id or name')
    .argument('<name>', 'new name')
    .option('--db <file>', 'session database')
    .option('--json', 'print one JSON document on stdout')
    .action((ref: string, name: string, opts: DbOptions) => {
      const store = SessionStore.open(resolveDatabasePath(opts.db), { access: 'readwrite' });
      try {
        const s = store.rename(store.resolve(ref).id, name);
        if (opts.json) printJson({ database: store.file, session: sessionJson(s) });
        else process.stderr.write(`renamed session ${s.id} to "${s.name}"\n`);
      } finally {
        store.close();
      }
    });
  sessions
    .command('delete')
    .description('Delete a session with its frames and map snapshots')
    .argument('<session>', 'session id or name')
    .option('--db <file>', 'session database')
    .option('--json', 'print one JSON document on stdout')
    .action((ref: string, opts: DbOptions) => {
      const store = SessionStore.open(resolveDatabasePath(opts.db), { access: 'readwrite' });
      try {
        const s = store.resolve(ref);
        store.delete(s.id);
        if (opts.json) printJson({ database: store.file, deleted: sessionJson(s) });
        else process.stderr.write(`deleted session ${s.id} ("${s.name}")\n`);
      } finally {
        store.close();
      }
    });
}
