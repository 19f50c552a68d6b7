import { Command, CommanderError } from 'commander';
import { InputError } from '../errors.js';
import { registerCommands } from './commands/index.js';

const program = new Command()
  .name('semslam')
  .description('Real-time semantic SLAM: joint depth + segmentation network and surfel fusion with Bayesian labels')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof InputError) {
    process.stderr.write(`semslam: error: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
