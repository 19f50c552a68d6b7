// Decodes one colour and one depth image on a worker thread (nativeDecode.test.ts compares them with the main
// thread's): registers tsx in the worker, as the app's worker entries do.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { nativePng16, nativeRgb } = await import('../../main/io/nativeDecode.ts');
const rgb = await nativeRgb(await readFile(workerData.path));
const depth = await nativePng16(await readFile(workerData.depthPath));
parentPort.postMessage([rgb.data, depth.data]);
