/** Renderer entry: the same bundle runs in Electron (window.semslam bridge) and in a browser (web mode). */
import type { PreloadBridge } from '../main/contract/client.js';
import { App } from './ui/app.js';
import { IpcClient } from './transport/ipcClient.js';
import { WebSocketClient, webSocketUrl } from './transport/wsClient.js';

const bridge = (window as unknown as { semslam?: PreloadBridge }).semslam;
const client = bridge ? new IpcClient(bridge) : new WebSocketClient(webSocketUrl(location.href));
const app = new App(client);
// For the end-to-end tests and the render benchmark: read-only figures and a synchronous redraw.
(window as unknown as { semslamDebug: unknown }).semslamDebug = {
  surfels: () => app.viewer.store.count,
  classCounts: () => Array.from(app.viewer.store.classCounts),
  drawMs: (finish: boolean, moving?: boolean) => app.viewer.draw(finish, moving),
  movingDrawn: () => app.viewer.surfels.movingDrawn,
  /** The full-detail image of the current map and view is on screen (the progressive pass has caught up). */
  complete: () => app.viewer.complete,
  /** 'fence' (WebGL2: the page never waits for the GPU) or 'read' (WebGL1: a pixel read waits for each slice). */
  gpuWait: () => app.viewer.gpuWait,
  /** Longest time each part of the page's work held it (ms): viewer phases and applying a map update. */
  longest: () => ({ ...app.viewer.longest, apply: app.longestApplyMs, events: app.longestEventMs }),
  progressive: () => {
    const p = app.viewer.progressive;
    return { passes: p.passes, lastPassDrawMs: p.lastPassDrawMs, lastPassWallMs: p.lastPassWallMs, maxSliceMs: p.maxSliceMs, splatsPerMs: p.splatsPerMs, sliceMs: p.sliceMs };
  },
};
