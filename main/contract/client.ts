/**
 * The renderer's view of the boundary, the same for Electron (preload bridge) and web mode (WebSocket):
 * typed requests resolving to Result values, and typed event subscriptions.
 */
import type { AppEvent, RequestChannel, RequestOf, ResponseOf, Result } from './channels.js';

export interface AppClient {
  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Returns the function that removes the listener. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** 'connected' | 'disconnected' (web mode: the server went away); Electron is always connected. */
  onConnection?(listener: (state: 'connected' | 'disconnected') => void): () => void;
  /**
   * Web mode: the URL from which the browser downloads a file exportMap wrote (the server hands out its
   * export folder only). Absent in Electron, where exports go where the user chose in a save dialog.
   */
  exportDownloadUrl?(path: string): string;
}

/**
 * What electron/preload.ts exposes on `window.semslam` via contextBridge. Functions only (contextBridge
 * copies values), so `request` takes the channel name and payload and `onEvent` a callback.
 */
export interface PreloadBridge {
  request(channel: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (channel: string, payload: unknown) => void): () => void;
}

/** IPC channel names used by Electron: one invoke channel for requests, one send channel for events. */
export const IPC_REQUEST_CHANNEL = 'semslam:request';
export const IPC_EVENT_CHANNEL = 'semslam:event';
