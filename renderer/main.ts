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
};
