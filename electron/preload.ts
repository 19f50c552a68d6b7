/**
 * Preload (sandboxed, context-isolated): exposes window.semslam = { request, onEvent } and nothing else.
 * The renderer never sees ipcRenderer; payloads are validated again on both sides of the bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { PreloadBridge } from '../main/contract/client.js';
import { IPC_EVENT_CHANNEL as EVENT, IPC_REQUEST_CHANNEL as REQUEST } from '../main/contract/client.js';

const bridge: PreloadBridge = {
  request: (channel, payload) => ipcRenderer.invoke(REQUEST, { channel: String(channel), payload }),
  onEvent: (listener) => {
    const wrapped = (_e: IpcRendererEvent, channel: string, payload: unknown): void => listener(channel, payload);
    ipcRenderer.on(EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('semslam', bridge);
