import type { Command } from 'commander';
import { readModelInfo, type ModelInfo } from '../../perception/model-info.js';
import { printJson } from '../output.js';

function formatDims(shape: readonly (number | string | null)[] | null): string {
  return shape ? `[${shape.map((d) => d ?? '?').join(', ')}]` : '(unknown)';
}

function formatInfo(info: ModelInfo): string {
  const g = (n: number) => `${(n / 1e9).toFixed(3)} G`;
  const lines = [
    `${info.file}  (${info.producer || 'unknown producer'}, opset ${info.opset})`,
    `parameters: ${info.params.toLocaleString('en')} (conv weights + biases + BN γ/β)`,
    `  + BN running statistics ${info.bnStatistics.toLocaleString('en')} = ${info.paramsWithBnStatistics.toLocaleString('en')}`
      + `  (${info.batchNormNodes} BatchNormalization nodes${info.batchNormNodes === 0 ? '; BN folded into the convolutions or absent' : ''})`,
    `MACs at 640×480: ${g(info.macs640x480)} conv; ${g(info.totalMacs640x480)} with BN and interpolation; other ops ${g(info.otherOps640x480)}`,
    ...info.inputs.map((t) => `input  ${t.name}: ${t.type} ${formatDims(t.shape)} → ${formatDims(t.shape640x480)}`),
    ...info.outputs.map((t) => `output ${t.name}: ${t.type} ${formatDims(t.shape)} → ${formatDims(t.shape640x480)}`),
    `ops: ${Object.entries(info.opCounts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `classes: ${info.classes ? `${info.classes.length} (${info.classes.slice(0, 5).join(', ')}, …)` : 'not in metadata'}`,
  ];
  if (info.unknownOps.length) lines.push(`WARNING: shapes unknown after ${info.unknownOps.join(', ')}; cost figures are incomplete`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('model-info')
    .description('Describe a network ONNX file from its graph: parameters, MACs at 640×480, op counts, inputs/outputs, classes')
    .argument('<file>', '.onnx file')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', '\nParameters count conv weights, biases and BN γ/β (the paper\'s 3.07M); BN running statistics are reported apart.\n'
      + 'MACs come from static shape inference over the graph with the image input at 640×480.\n\n'
      + 'Example:\n  semslam model-info models/semslam-joint.onnx --json')
    .action(async (file: string, opts: { json?: boolean }) => {
      const info = await readModelInfo(file);
      if (opts.json) printJson(info);
      else process.stdout.write(formatInfo(info));
    });
}
