#!/usr/bin/env node
// Prepares this checkout for `npm start` (the Electron app) on a user's machine:
//  1. Electron's binary: npm ci here skips Electron's download script (allowScripts: electron false, because
//     CI machines have no internet); this runs it once.
//  2. better-sqlite3 for Electron's ABI, built in .electron/ so the Node build (CLI, tests, web mode) stays
//     intact; electron/main.ts points SEMSLAM_SQLITE_BINDING at it. Prebuilt binaries first (prebuild-install),
//     else a source build against Electron's headers (node-gyp, needs a C++ toolchain). npm's own settings that
//     would redirect the build to Node's headers (nodedir, target, runtime) are kept away from both.
//  3. The result is checked before success is reported: its ABI must be the one this Electron reports, and
//     Electron (as Node) must load it and run a query. An earlier build with another ABI is rebuilt.
// onnxruntime-node is N-API and needs no rebuild. Prints the binding path; exits 1 with what to do on failure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { electronSqliteBuild } = await import('../main/store/sqliteBinding.ts');
const { abiMismatch, electronBuildEnv, nativeModuleAbi } = await import('../electron/nativeModule.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const say = (message) => process.stderr.write(`electron-setup: ${message}\n`);
const fail = (message) => {
  say(message);
  process.exit(1);
};
const buildEnv = electronBuildEnv(process.env);

/**
 * Runs a tool with its output captured: on success its output is dropped, on failure the last lines are the
 * cause we report (an installer's raw stack trace says less than our explanation, and buries it).
 */
const quiet = (cmd, args, cwd, env = buildEnv) => {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0, output, cause: firstErrorLine(output) ?? (r.error ? r.error.message : `exit ${r.status ?? r.signal}`) };
};
/** The line that names the error (e.g. "RequestError: getaddrinfo ENOTFOUND github.com"), without the stack. */
function firstErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  return lines.find((l) => /error|ERR!|ENOTFOUND|ECONN|EAI_AGAIN|ETIMEDOUT/i.test(l)) ?? lines.at(-1);
}

const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
const binaryRecorded = existsSync(join(electronDir, 'path.txt'));
if (!binaryRecorded) {
  say(`downloading Electron ${electronVersion}…`);
  const r = quiet(process.execPath, [join(electronDir, 'install.js')], electronDir, process.env);
  if (!r.ok) {
    fail(`Electron ${electronVersion} could not be downloaded (${r.cause}): no internet, or GitHub unreachable. Run \`npm start\` `
      + 'again where the internet is reachable, or set ELECTRON_MIRROR to a mirror. The web mode (`npx semslam serve`) needs no Electron.');
  }
}
const electronBinary = require('electron');

/** Electron's own ABI: asked of the binary, so no table of versions can be out of date. */
const asNode = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
const abiRun = spawnSync(electronBinary, ['-p', 'process.versions.modules'], { env: asNode, encoding: 'utf8' });
const expectedAbi = Number(abiRun.stdout?.trim());
if (abiRun.status !== 0 || !Number.isInteger(expectedAbi) || expectedAbi <= 0) {
  fail(`${electronBinary} did not run (${firstErrorLine(`${abiRun.stderr ?? ''}`) ?? abiRun.error?.message ?? 'no output'}); `
    + 'delete node_modules/electron/path.txt and run `npm start` again to download it afresh.');
}
const runtime = `Electron ${electronVersion}`;

const sqliteSrc = dirname(require.resolve('better-sqlite3/package.json'));
const { dir: target, binding } = electronSqliteBuild(root, electronVersion);
const mismatch = () => (existsSync(binding) ? abiMismatch(binding, nativeModuleAbi(binding), expectedAbi, runtime) : `${binding} is missing`);

if (existsSync(binding) && mismatch()) {
  say(`${mismatch()}: rebuilding it.`);
}
if (mismatch()) {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) cpSync(join(sqliteSrc, entry), join(target, entry), { recursive: true });
  const prebuild = require.resolve('prebuild-install/bin.js', { paths: [sqliteSrc] });
  const pre = quiet(process.execPath, [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], target);
  const preProblem = pre.ok ? mismatch() : `no prebuilt binary (${pre.cause})`;
  if (preProblem) {
    say(`better-sqlite3 for ${runtime}: ${preProblem}; building from source…`);
    rmSync(join(target, 'build'), { recursive: true, force: true });
    // npm bundles node-gyp; under `npm start` npm_execpath names npm's CLI, else npx fetches node-gyp.
    const npmCli = process.env.npm_execpath;
    const bundled = npmCli ? join(dirname(dirname(npmCli)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
    const gypArgs = ['rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'];
    const gyp = bundled && existsSync(bundled) ? quiet(process.execPath, [bundled, ...gypArgs], target) : quiet('npx', ['--yes', 'node-gyp', ...gypArgs], target);
    if (!gyp.ok) {
      fail(`better-sqlite3 could not be built for ${runtime} (${gyp.cause}): neither a prebuilt binary nor a source build worked `
        + '(a source build needs python3, make and a C++ compiler, and internet for Electron\'s headers).');
    }
  }
  const problem = mismatch();
  if (problem) {
    rmSync(binding, { force: true }); // never leave a wrong build for the next run to reuse
    fail(`${problem}. The build did not use Electron's headers; please report this with the output of \`npm config ls -l | grep -i -E "nodedir|target|runtime"\`.`);
  }
}

// The proof: Electron itself loads the module and runs a query with it.
const probe = `const D = require(${JSON.stringify(join(sqliteSrc, 'lib', 'index.js'))});
const db = new D(':memory:', { nativeBinding: ${JSON.stringify(binding)} });
process.stdout.write(db.prepare('select sqlite_version() as v').get().v);`;
const loaded = spawnSync(electronBinary, ['-e', probe], { env: asNode, encoding: 'utf8' });
if (loaded.status !== 0) {
  rmSync(binding, { force: true });
  fail(`${runtime} could not load ${binding} (${firstErrorLine(loaded.stderr ?? '') ?? 'no output'}); it was removed, run \`npm start\` again.`);
}
say(`better-sqlite3 for ${runtime} (ABI ${expectedAbi}, SQLite ${loaded.stdout.trim()}) loads in Electron.`);
process.stdout.write(`${binding}\n`);
