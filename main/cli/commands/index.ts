import type { Command } from 'commander';
import { register as registerInfo } from './info.js';

/** Each command lives in its own file and registers itself here. */
export function registerCommands(_program: Command): void {
  registerInfo(_program);
}
