// Makes `npm test` and `npm run demo` work as the first command on a fresh clone: installs the npm
// dependencies when they are missing or older than package-lock.json, and (for the tests) Debian's
// packages when running as root, or says exactly what to install otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(r.status ?? 1);
  }
}

export function ensureNodeModules() {
  const stamp = 'node_modules/.package-lock.json';
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  process.stderr.write('npm dependencies missing or stale: running npm ci\n');
  // No network beyond the npm registry: never fetch Electron's binary or the CUDA execution provider.
  run('npm', ['ci', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' });
}

export function ensureSystemPackages() {
  const r = spawnSync('bash', ['scripts/install-system-deps.sh', '--check'], { encoding: 'utf8' });
  if (r.status === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot || spawnSync('sudo', ['-n', 'true']).status === 0) {
    run('bash', ['scripts/install-system-deps.sh']);
    return;
  }
  process.stderr.write(`${r.stdout}${r.stderr}\nInstall them with: sudo bash scripts/install-system-deps.sh\n`);
  process.exit(1);
}
