import type { Command } from 'commander';
import { register as registerInfo } from './info.js';
import { register as registerModelInfo } from './model-info.js';
import { register as registerInfer } from './infer.js';
import { register as registerConvertCheckpoint } from './convert-checkpoint.js';
import { register as registerMap } from './map.js';

/** Each command lives in its own file and registers itself here. */
export function registerCommands(_program: Command): void {
  registerInfo(_program);
  registerModelInfo(_program);
  registerInfer(_program);
  registerConvertCheckpoint(_program);
  registerMap(_program);
}
