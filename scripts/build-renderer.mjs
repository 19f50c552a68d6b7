#!/usr/bin/env node
// Builds dist/renderer (the UI bundle); with --electron also dist/electron (main + preload for `npm start`).
import { register } from 'tsx/esm/api';

register();
const { buildRenderer, buildElectron } = await import('../main/web/buildRenderer.ts');
const r = await buildRenderer();
process.stderr.write(`renderer: ${r.outDir} (${(r.bytes / 1024).toFixed(0)} KiB)\n`);
if (process.argv.includes('--electron')) {
  await buildElectron();
  process.stderr.write('electron: dist/electron/main.js, dist/electron/preload.cjs\n');
}
