import type { Command } from 'commander';
import { register as registerInfo } from './info.js';
import { register as registerModelInfo } from './model-info.js';
import { register as registerInfer } from './infer.js';
import { register as registerConvertCheckpoint } from './convert-checkpoint.js';
import { register as registerMap } from './map.js';
import { register as registerSessions } from './sessions.js';
import { register as registerExport } from './export.js';
import { register as registerDemo } from './demo.js';
import { register as registerGen } from './gen.js';
import { register as registerPreview } from './preview.js';
import { register as registerServe } from './serve.js';
import { register as registerCalibrateColour } from './calibrate-colour.js';

/** Each command lives in its own file and registers itself here. */
export function registerCommands(_program: Command): void {
  registerInfo(_program);
  registerModelInfo(_program);
  registerInfer(_program);
  registerConvertCheckpoint(_program);
  registerMap(_program);
  registerSessions(_program);
  registerExport(_program);
  registerDemo(_program);
  registerGen(_program);
  registerPreview(_program);
  registerServe(_program);
  registerCalibrateColour(_program);
}
