#!/usr/bin/env node
// `npm test`: lint, type-check, TypeScript tests (vitest), Python tests (pytest), end-to-end UI tests. Stops at the first failure.
import { spawnSync } from 'node:child_process';
import { ensureNodeModules, ensureSystemPackages } from './ensure-deps.mjs';

ensureNodeModules();
ensureSystemPackages();

const steps = [
  ['lint', 'npx', ['eslint', '.']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['unit + integration (vitest)', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
  ['python (pytest)', 'node', ['scripts/pytest.mjs']],
  // Web mode in headless Chromium (needs /usr/bin/chromium: scripts/install-system-deps.sh).
  ['end-to-end (Playwright + Chromium)', 'npx', ['vitest', 'run', '--config', 'test/e2e/vitest.e2e.config.ts']],
];

for (const [name, cmd, args] of steps) {
  process.stderr.write(`\n=== ${name} ===\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`\nnpm test: step "${name}" failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(r.status ?? 1);
  }
}
