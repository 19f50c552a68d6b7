import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/** The network shipped with the app (trained by models/, exported to ONNX). */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../models/semslam-joint.onnx', import.meta.url));

/** `--model` when given, else the shipped model; a clear error when neither exists. */
export async function resolveModelPath(explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  try {
    await access(SHIPPED_MODEL_PATH);
  } catch {
    throw new InputError(SHIPPED_MODEL_PATH, 'the shipped model is missing (not trained/exported yet); pass --model FILE.onnx '
      + '(e.g. make one with: PYTHONPATH=models /usr/bin/python3 -m semslam_net.export --random-init --out /tmp/joint.onnx)');
  }
  return SHIPPED_MODEL_PATH;
}
