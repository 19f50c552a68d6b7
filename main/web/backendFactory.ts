/**
 * The one place the app's transports (web mode, Electron) get their AppBackend: the session runner's
 * createAppBackend (main/session/appBackend.ts; the interface is main/contract/backend.ts).
 */
import type { AppBackend } from '../contract/backend.js';
import { createAppBackend } from '../session/appBackend.js';
import type { AppBackendOptions } from '../session/appBackend.js';

export type BackendFactoryOptions = AppBackendOptions;

export function createBackend(options: BackendFactoryOptions = {}): Promise<AppBackend> {
  return createAppBackend(options);
}
