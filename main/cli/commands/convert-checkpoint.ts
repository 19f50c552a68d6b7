import type { Command } from 'commander';
import { readModelInfo } from '../../perception/model-info.js';
import { convertCheckpoint, PythonUnavailableError } from '../../perception/python-tools.js';
import { failUsage } from '../../perception/network-cli-options.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('convert-checkpoint')
    .description('Convert a PyTorch checkpoint of the joint network (the authors\' published files or ours) to ONNX for the app')
    .argument('<checkpoint>', 'checkpoint file ({"state_dict": ...}; published, DenseTorch or DataParallel key names)')
    .requiredOption('--out <file>', 'output .onnx file')
    .option('--input-size <WxH>', 'frame size the network was trained at, recorded for the app to run it at (default: from our own checkpoints\' training record; none for the authors\' files)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nRuns models/semslam_net (PyTorch) with /usr/bin/python3 (override: SEMSLAM_PYTHON).\n'
      + 'Needs Debian\'s python3-torch and python3-onnx.\n\n'
      + 'Example:\n  semslam convert-checkpoint ExpNYUD_joint.ckpt --out nyud-joint.onnx')
    .action(async (checkpoint: string, opts: { out: string; inputSize?: string; json?: boolean }) => {
      const t0 = performance.now();
      let converted: Record<string, unknown>;
      try {
        converted = await convertCheckpoint(checkpoint, opts.out, opts.inputSize);
      } catch (e) {
        if (e instanceof PythonUnavailableError) return failUsage(e.message);
        throw e;
      }
      const info = await readModelInfo(opts.out);
      const summary = {
        checkpoint,
        out: opts.out,
        seconds: (performance.now() - t0) / 1000,
        params: info.params,
        classes: info.classes?.length ?? null,
        outputs: info.outputs.map((o) => o.name),
        inputSize: info.metadata.input_size ?? null,
        converter: converted,
      };
      if (opts.json) printJson(summary);
      else process.stdout.write(`${opts.out}: ${summary.params.toLocaleString('en')} parameters, outputs ${summary.outputs.join(', ')}${summary.inputSize ? `, trained at ${summary.inputSize}` : ''} (${summary.seconds.toFixed(1)} s)\n`);
    });
}
