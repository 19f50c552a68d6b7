// Worker entry when running from TypeScript sources: registers tsx inside the worker, then loads the
// TypeScript worker (the pattern of perception-worker-entry.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./prefetch-worker-main.ts');
