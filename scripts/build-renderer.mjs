#!/usr/bin/env node
// Builds dist/renderer (the UI bundle); with --electron also the sandboxed preload dist/electron/preload.cjs (for `npm start`).
import { register } from 'tsx/esm/api';

register();
const { buildRenderer, buildElectronPreload } = await import('../main/web/buildRenderer.ts');
const r = await buildRenderer();
process.stderr.write(`renderer: ${r.outDir} (${(r.bytes / 1024).toFixed(0)} KiB)\n`);
if (process.argv.includes('--electron')) {
  await buildElectronPreload();
  process.stderr.write('electron: dist/electron/preload.cjs\n');
}
