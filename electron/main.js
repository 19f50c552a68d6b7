// Electron entry shim (`npm start` → `electron electron/main.js`): runs electron/main.ts through tsx,
// as bin/semslam.js does for the CLI, so the main process needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
