import { Option, type Command } from 'commander';
import { DEFAULT_JOINT_NETWORK_OPTIONS, type JointNetworkOptions } from './joint-network.js';
import { EXECUTION_PROVIDERS, requireProvider } from './execution-provider.js';
import { parseInputSizePolicy } from './input-size.js';

/** The network options shared by `infer` and the inference benchmark's command line. */
export interface NetworkCliFlags {
  provider?: string;
  threads?: string;
  inputSize?: string;
}

export function addNetworkOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--provider <name>', `onnxruntime execution provider (${EXECUTION_PROVIDERS.join(' | ')})`)
      .default(DEFAULT_JOINT_NETWORK_OPTIONS.provider))
    .option('--threads <n>', 'intra-op threads (0 = onnxruntime chooses)', String(DEFAULT_JOINT_NETWORK_OPTIONS.intraOpThreads))
    .option('--input-size <size>', 'network input: "native" (frame rounded to a multiple of 32) or WIDTHxHEIGHT (default: the size the model was trained at, from its metadata, else native)');
}

export function networkOptionsFromFlags(flags: NetworkCliFlags): Partial<JointNetworkOptions> {
  const threads = Number(flags.threads ?? DEFAULT_JOINT_NETWORK_OPTIONS.intraOpThreads);
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`--threads must be an integer ≥ 0, got "${flags.threads}"`);
  return {
    provider: requireProvider(flags.provider ?? DEFAULT_JOINT_NETWORK_OPTIONS.provider),
    intraOpThreads: threads,
    ...(flags.inputSize ? { inputSize: parseInputSizePolicy(flags.inputSize) } : {}),
  };
}

/**
 * A bad option or an unavailable provider/tool: one clean line on stderr and exit status 2 (like
 * InputError in main/cli/main.ts), without the usage text commander's own errors print.
 */
export function failUsage(message: string): void {
  process.stderr.write(`semslam: error: ${message}\n`);
  process.exitCode = 2;
}
