#!/usr/bin/env node
// Python tests of the training package run with Debian's system interpreter, which holds python3-torch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const python = process.env.SEMSLAM_PYTHON ?? '/usr/bin/python3';
if (!existsSync('models/tests')) {
  process.stderr.write('pytest: no models/tests folder yet; nothing to run.\n');
  process.exit(0);
}
const probe = spawnSync(python, ['-c', 'import torch, pytest, numpy, PIL'], { encoding: 'utf8' });
if (probe.status !== 0) {
  process.stderr.write(
    `pytest: ${python} lacks PyTorch/pytest/NumPy/Pillow.\n` +
      'Install them with: apt-get update && apt-get install -y python3-torch python3-pytest python3-numpy python3-pil python3-onnx\n' +
      `(${(probe.stderr || '').trim().split('\n').pop()})\n`,
  );
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', 'models/tests', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
