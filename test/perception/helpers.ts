import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonExecutable, requirePythonTorch } from '../../main/perception/python-tools.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const NYUD_DIR = resolve(REPO_ROOT, '../shared/data/real/nyud-labelled/ExpNYUD_joint');
export const NYUD_IMAGE = join(NYUD_DIR, '000464.png');
export const NYUD_SEGM_GT = join(NYUD_DIR, 'segm_gt_000464.png');
export const NYUD_DEPTH_GT = join(NYUD_DIR, 'depth_gt_000464.png');

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the real CLI (node bin/semslam.js) in a child process. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((res) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/semslam.js'), ...args], { cwd: REPO_ROOT, env, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => res({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { env, maxBuffer: 64 << 20 }, (error, _stdout, stderr) => {
      if (error) rej(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else res();
    });
  });
}

/**
 * Runs a fixture script of test/perception/fixtures with Debian's python (PyTorch) into a folder cached in
 * the temp dir, keyed by the script and the models/semslam_net sources; returns the folder. Fails with
 * the install instructions when PyTorch is missing (never skips).
 */
export async function pythonFixtures(script: string, args: readonly string[] = []): Promise<string> {
  await requirePythonTorch();
  const hash = createHash('sha256').update(script).update(JSON.stringify(args));
  // Every fixture script (they import each other) and the training package they build on.
  const fixtures = join(REPO_ROOT, 'test/perception/fixtures');
  for (const f of (await readdir(fixtures)).filter((n) => n.endsWith('.py')).sort()) hash.update(await readFile(join(fixtures, f)));
  const pkg = join(REPO_ROOT, 'models/semslam_net');
  for (const f of (await readdir(pkg)).filter((n) => n.endsWith('.py')).sort()) hash.update(await readFile(join(pkg, f)));
  const dir = join(tmpdir(), 'semslam-perception-fixtures', hash.digest('hex').slice(0, 16));
  try {
    await stat(join(dir, '.done'));
    return dir;
  } catch {
    // build below
  }
  const partial = `${dir}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const env = { ...process.env, PYTHONPATH: join(REPO_ROOT, 'models') };
  await run(pythonExecutable(), [join(REPO_ROOT, 'test/perception/fixtures', script), partial, ...args], env);
  await writeFile(join(partial, '.done'), '');
  try {
    await rename(partial, dir);
  } catch {
    // Another test process finished first: use its copy.
    await rm(partial, { recursive: true, force: true });
  }
  return dir;
}

export async function readFloat32(file: string): Promise<Float32Array> {
  const b = await readFile(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
