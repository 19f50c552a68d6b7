/**
 * Checks on native modules built for Electron by scripts/electron-setup.mjs. Plain Node (no Electron import),
 * so the setup script and the tests use it before any Electron runs.
 */
import { readFileSync } from 'node:fs';

/**
 * The ABI (NODE_MODULE_VERSION) a non-N-API native module was compiled for, read from the file: NODE_MODULE and
 * NODE_MODULE_INIT export the symbol `node_register_module_v<ABI>`, which is the runtime's own check when it
 * loads the module. null when the file has no such symbol (an N-API module, or not a native module at all).
 */
export function nativeModuleAbi(file: string): number | null {
  const bytes = readFileSync(file);
  const marker = Buffer.from('node_register_module_v', 'latin1');
  let at = bytes.indexOf(marker);
  while (at >= 0) {
    let end = at + marker.length;
    let abi = 0;
    while (end < bytes.length && bytes[end] >= 0x30 && bytes[end] <= 0x39) abi = abi * 10 + bytes[end++] - 0x30;
    if (end > at + marker.length) return abi;
    at = bytes.indexOf(marker, end);
  }
  return null;
}

/**
 * The environment for building a native module for Electron: npm hands every config to scripts as npm_config_*
 * variables, and node-gyp and prebuild-install read them. A user's `nodedir` (often the system Node's prefix)
 * makes node-gyp compile against that Node's headers whatever --target says: the module comes out with Node's
 * ABI, which Electron refuses. The runtime, target and header settings are therefore ours alone.
 */
export function electronBuildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  const owned = new Set(['nodedir', 'target', 'runtime', 'disturl', 'dist_url', 'arch', 'target_arch', 'build_from_source', 'platform']);
  for (const [key, value] of Object.entries(env)) {
    const m = /^npm_config_(.*)$/i.exec(key);
    if (m && owned.has(m[1].toLowerCase().replace(/-/g, '_'))) continue;
    out[key] = value;
  }
  return out;
}

/** Why a module's ABI is not the one wanted, in words for the user; null when it is. */
export function abiMismatch(file: string, found: number | null, expected: number, runtime: string): string | null {
  if (found === expected) return null;
  const what = found === null ? 'no recognisable ABI' : `ABI ${found} (node_module_version)`;
  return `${file} was built with ${what}, but ${runtime} needs ABI ${expected}`;
}
