#!/usr/bin/env node
// Prepares this checkout for `npm start` (the Electron app) on a user's machine:
//  1. Electron's binary: npm ci here skips Electron's download script (allowScripts: electron false, because
//     CI machines have no internet); this runs it once.
//  2. better-sqlite3 for Electron's ABI, built in .electron/ so the Node build (CLI, tests, web mode) stays
//     intact; electron/main.ts points SEMSLAM_SQLITE_BINDING at it. Prebuilt binaries first (prebuild-install),
//     else a source build against Electron's headers (node-gyp, needs a C++ toolchain).
// onnxruntime-node is N-API and needs no rebuild. Prints the binding path; exits 1 with what to do on failure.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { electronSqliteBuild } = await import('../main/store/sqliteBinding.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const fail = (message) => {
  process.stderr.write(`electron-setup: ${message}\n`);
  process.exit(1);
};
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });

const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
const binaryRecorded = existsSync(join(electronDir, 'path.txt'));
if (!binaryRecorded) {
  process.stderr.write(`electron-setup: downloading Electron ${electronVersion}…\n`);
  try {
    run(process.execPath, [join(electronDir, 'install.js')], electronDir);
  } catch {
    fail(`Electron ${electronVersion} could not be downloaded (no internet, or GitHub unreachable). Run \`npm start\` `
      + 'again where the internet is reachable, or set ELECTRON_MIRROR to a mirror. The web mode (`npx semslam serve`) needs no Electron.');
  }
}

const sqliteSrc = dirname(require.resolve('better-sqlite3/package.json'));
const { dir: target, binding } = electronSqliteBuild(root, electronVersion);
if (!existsSync(binding)) {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) cpSync(join(sqliteSrc, entry), join(target, entry), { recursive: true });
  const prebuild = require.resolve('prebuild-install/bin.js', { paths: [sqliteSrc] });
  try {
    run(process.execPath, [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], target);
  } catch {
    process.stderr.write('electron-setup: no prebuilt better-sqlite3 for this Electron; building from source…\n');
    // npm bundles node-gyp; under `npm start` npm_execpath names npm's CLI, else npx fetches node-gyp.
    const npmCli = process.env.npm_execpath;
    const bundled = npmCli ? join(dirname(dirname(npmCli)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
    const gypArgs = ['rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'];
    try {
      if (bundled && existsSync(bundled)) run(process.execPath, [bundled, ...gypArgs], target);
      else run('npx', ['--yes', 'node-gyp', ...gypArgs], target);
    } catch {
      fail('better-sqlite3 could not be built for Electron: neither a prebuilt binary nor a source build worked '
        + '(a source build needs python3, make and a C++ compiler, and internet for Electron\'s headers).');
    }
  }
  if (!existsSync(binding)) fail(`the better-sqlite3 build did not produce ${binding}`);
}
process.stdout.write(`${binding}\n`);
