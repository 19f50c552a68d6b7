import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiMismatch, electronBuildEnv, nativeModuleAbi } from '../../electron/nativeModule.js';

const require = createRequire(import.meta.url);
const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

describe('native module checks for the Electron build', () => {
  it('reads the ABI a real native module was built for (better-sqlite3 for this Node)', () => {
    expect(nativeModuleAbi(nodeBuild)).toBe(Number(process.versions.modules));
  });

  it('finds no ABI in a file without the registration symbol', () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-abi-'));
    writeFileSync(join(dir, 'a.node'), Buffer.from('\x7fELF node_register_module_vX napi_register_module_v1'));
    expect(nativeModuleAbi(join(dir, 'a.node'))).toBeNull();
  });

  it("rejects Node's build where Electron's ABI is needed, naming both", () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-abi-'));
    const copy = join(dir, 'better_sqlite3.node');
    copyFileSync(nodeBuild, copy);
    const nodeAbi = Number(process.versions.modules);
    const problem = abiMismatch(copy, nativeModuleAbi(copy), nodeAbi + 24, 'Electron 38.8.6');
    expect(problem).toContain(`ABI ${nodeAbi}`);
    expect(problem).toContain(`Electron 38.8.6 needs ABI ${nodeAbi + 24}`);
    expect(abiMismatch(copy, nativeModuleAbi(copy), nodeAbi, 'Node')).toBeNull();
  });

  it("keeps npm's nodedir, target and runtime away from the Electron build, and nothing else", () => {
    const env = electronBuildEnv({
      npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', npm_config_target: '20.19.0', npm_config_runtime: 'node',
      npm_config_disturl: 'https://nodejs.org/dist', npm_config_cache: '/root/.npm', PATH: '/usr/bin', HOME: '/root',
    });
    expect(env).toEqual({ npm_config_cache: '/root/.npm', PATH: '/usr/bin', HOME: '/root' });
  });
});
