#!/usr/bin/env node
// `npm run demo [-- options]`: the end-to-end demo, i.e. `semslam demo` (see `semslam demo --help`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules } from './ensure-deps.mjs';

ensureNodeModules();

const cli = fileURLToPath(new URL('../bin/semslam.js', import.meta.url));
const r = spawnSync(process.execPath, [cli, 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
