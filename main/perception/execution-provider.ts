import * as ort from 'onnxruntime-node';

/** Execution providers the app knows how to ask onnxruntime for. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** An execution provider that this onnxruntime-node build or this machine cannot give. */
export class ProviderUnavailableError extends Error {
  constructor(readonly provider: string, readonly available: readonly string[], detail: string) {
    super(`execution provider "${provider}" ${detail} (available in this onnxruntime-node build: ${available.join(', ')})`);
    this.name = 'ProviderUnavailableError';
  }
}

export interface ProviderAvailability {
  readonly name: string;
  /** True when the provider's libraries ship inside onnxruntime-node; false when they must be installed. */
  readonly bundled: boolean;
}

export function availableProviders(): readonly ProviderAvailability[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

export function isExecutionProvider(name: string): name is ExecutionProvider {
  return (EXECUTION_PROVIDERS as readonly string[]).includes(name);
}

/** Checks the name against the build's list; throws ProviderUnavailableError listing what exists. */
export function requireProvider(name: string): ExecutionProvider {
  const available = availableProviders().map((p) => p.name);
  if (!isExecutionProvider(name)) {
    throw new ProviderUnavailableError(name, available, `is not one of ${EXECUTION_PROVIDERS.join(' | ')}`);
  }
  if (!available.includes(name)) throw new ProviderUnavailableError(name, available, 'is not compiled into this onnxruntime-node build');
  return name;
}
