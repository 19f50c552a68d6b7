/**
 * Child process for the crash test: writes one session as fast as it can, printing "committed <frames>" after
 * each commit, until its parent SIGKILLs it.  Usage: node --import tsx crashWriter.ts DB
 */
import { SessionStore } from '../../../main/store/sessionStore.js';
import { SessionWriter } from '../../../main/store/sessionWriter.js';
import { INTRINSICS, makeFrame, makeMap } from './fixtures.js';

const file = process.argv[2];
const store = SessionStore.open(file);
const session = store.create({ name: 'crash', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
let clock = 0;
const writer = new SessionWriter(store, session.id, { flushIntervalMs: 5, snapshotIntervalMs: 20, keepSnapshots: 2, backgroundSnapshots: false }, () => clock);
for (let i = 0; ; i++) {
  clock = i;
  writer.addFrame(makeFrame(i));
  // A large map snapshot every 20 frames keeps the child inside write transactions much of the time.
  if (writer.maybeSnapshot(i, () => makeMap(20000 + i, i))) process.stdout.write(`snapshot ${i}\n`);
  // Claim only what is committed: flush first (the writer otherwise commits on its own interval, and a claim made
  // between two flushes would name frames still in its queue).
  if (i % 5 === 4) {
    writer.flush();
    process.stdout.write(`committed ${i + 1}\n`);
  }
}
