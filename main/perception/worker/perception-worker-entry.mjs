// Worker entry when running from TypeScript sources: registers tsx inside the worker, then loads the
// TypeScript worker. (On Node 20, `execArgv: ['--import', 'tsx']` registers tsx's hooks too late for the
// worker's own .ts entry module, which then fails with ERR_UNKNOWN_FILE_EXTENSION; this shim is the
// pattern bin/semslam.js uses.)
import { register } from 'tsx/esm/api';

register();
await import('./perception-worker-main.ts');
