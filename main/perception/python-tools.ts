import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/**
 * Calls into the Python training package (models/semslam_net) for what only PyTorch can do: converting
 * checkpoints and exporting networks to ONNX. Uses Debian's interpreter, which carries python3-torch
 * (the first `python3` on PATH may be another interpreter without it); SEMSLAM_PYTHON overrides.
 */

export const DEFAULT_PYTHON = '/usr/bin/python3';
export const INSTALL_HINT = 'install them with: apt-get update && apt-get install -y python3-torch python3-onnx python3-numpy '
  + '(or run: bash scripts/install-system-deps.sh)';

/** The repository's models/ folder (PYTHONPATH for semslam_net). */
const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** Python or PyTorch is not there: the message says exactly what to install. */
export class PythonUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonUnavailableError';
  }
}

export function pythonExecutable(): string {
  return process.env.SEMSLAM_PYTHON ?? DEFAULT_PYTHON;
}

interface ProcessResult { code: number; stdout: string; stderr: string; spawnError?: NodeJS.ErrnoException }

function runProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (err && typeof err.code === 'string') resolve({ code: -1, stdout, stderr, spawnError: err });
      else resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Throws PythonUnavailableError unless the interpreter exists and imports torch and onnx. */
export async function requirePythonTorch(): Promise<string> {
  const python = pythonExecutable();
  const probe = await runProcess(python, ['-c', 'import torch, onnx; print(torch.__version__)'], process.env);
  if (probe.spawnError) {
    throw new PythonUnavailableError(`${python} not found (${probe.spawnError.code}); Debian's python3 with PyTorch is needed: ${INSTALL_HINT}`);
  }
  if (probe.code !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? '';
    throw new PythonUnavailableError(`${python} cannot import PyTorch/ONNX (${last}); ${INSTALL_HINT}`);
  }
  return probe.stdout.trim();
}

async function runSemslamNet(module: string, args: readonly string[], fileForErrors: string): Promise<Record<string, unknown>> {
  await requirePythonTorch();
  const env = { ...process.env, PYTHONPATH: [MODELS_DIR, process.env.PYTHONPATH].filter(Boolean).join(':') };
  const r = await runProcess(pythonExecutable(), ['-m', `semslam_net.${module}`, ...args], env);
  if (r.code !== 0) {
    // semslam_net prints `error: <file>: <problem>` and exits 2 for bad input files.
    const line = r.stderr.trim().split('\n').filter((l) => l.trim()).pop() ?? `exit code ${r.code}`;
    const problem = line.replace(/^error:\s*/, '').replace(`${fileForErrors}: `, '');
    if (r.code === 2) throw new InputError(fileForErrors, problem);
    throw new Error(`semslam_net.${module} failed (exit ${r.code}): ${line}`);
  }
  const json = r.stdout.trim().split('\n').pop() ?? '{}';
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return { stdout: r.stdout };
  }
}

/**
 * Converts a PyTorch checkpoint (published names, DenseTorch names, `module.` prefixes) to our ONNX.
 * `inputSize` ('WxH') is recorded as the trained frame size; without it the converter takes it from our own
 * checkpoints' training record, and the authors' files get none.
 */
export function convertCheckpoint(checkpoint: string, out: string, inputSize?: string): Promise<Record<string, unknown>> {
  return runSemslamNet('convert', [checkpoint, '--out', out, ...(inputSize ? ['--input-size', inputSize] : [])], checkpoint);
}

export interface RandomInitExport {
  readonly seed: number;
  readonly classes: number;
  readonly normals: boolean;
  /** Recorded as the trained frame size (metadata input_size), 'WxH'; null records none. */
  readonly inputSize: string | null;
}

export const DEFAULT_RANDOM_INIT_EXPORT: RandomInitExport = { seed: 0, classes: 40, normals: false, inputSize: null };

/** Exports an untrained network (the paper's init) to ONNX; for plumbing tests and benchmarks. */
export function exportRandomInit(out: string, options: Partial<RandomInitExport> = {}): Promise<Record<string, unknown>> {
  const o = { ...DEFAULT_RANDOM_INIT_EXPORT, ...options };
  const args = ['--random-init', '--seed', String(o.seed), '--classes', String(o.classes), '--out', out];
  if (o.normals) args.push('--normals');
  if (o.inputSize) args.push('--input-size', o.inputSize);
  return runSemslamNet('export', args, out);
}
