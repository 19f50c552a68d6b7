/**
 * IPC between the window and the backend. One invoke channel carries every request (channel name +
 * payload), one send channel every event. Each request is checked before it reaches the backend:
 * the sender frame must be our app:// renderer, the channel must be declared in the contract, and the
 * payload must match its zod schema (invokeBackend).
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { AppBackend } from '../main/contract/backend.js';
import { invokeBackend } from '../main/contract/backend.js';
import type { Result } from '../main/contract/channels.js';
import { isRequestChannel } from '../main/contract/channels.js';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../main/contract/client.js';
import { isAppUrl } from './security.js';

/** The message the preload sends on IPC_REQUEST_CHANNEL. */
export interface IpcRequestMessage {
  channel: string;
  payload: unknown;
}

/** Pure request handling, given the sender frame's URL: what the ipcMain handler returns. */
export async function handleIpcRequest(backend: AppBackend, senderUrl: string | undefined, message: unknown): Promise<Result<unknown>> {
  if (!isAppUrl(senderUrl)) return { ok: false, error: { code: 'invalid-request', message: 'request refused: it did not come from the semslam window' } };
  if (message === null || typeof message !== 'object') return { ok: false, error: { code: 'invalid-request', message: 'request refused: not an object' } };
  const { channel, payload } = message as Partial<IpcRequestMessage>;
  if (!isRequestChannel(channel)) return { ok: false, error: { code: 'invalid-request', message: `unknown request channel ${JSON.stringify(channel)}` } };
  return invokeBackend(backend, channel, payload);
}

/** Wires the backend to one window; returns the function that unwires it. */
export function registerIpc(ipcMain: IpcMain, backend: AppBackend, contents: WebContents): () => void {
  ipcMain.handle(IPC_REQUEST_CHANNEL, (event: IpcMainInvokeEvent, message: unknown) =>
    event.sender === contents ? handleIpcRequest(backend, event.senderFrame?.url, message) : Promise.resolve({ ok: false, error: { code: 'invalid-request', message: 'request refused: unknown window' } }),
  );
  const unsubscribe = backend.onEvent((e) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, e.channel, e.payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
  };
}
