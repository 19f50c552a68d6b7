/**
 * AppBackend: what the app's UI needs from the process that runs the pipeline.
 * Implemented by the session runner (main/session, "sessions" engineer); consumed by the Electron main
 * process (electron/ipc.ts) and by web mode (main/web/server.ts), which both expose it to the renderer
 * through the channels declared in channels.ts.
 *
 * Where it lives: `main/session/appBackend.ts` exporting
 *     export async function createAppBackend(options?: { database?: string }): Promise<AppBackend>
 * (database: the sessions SQLite file; default the store's default path). `semslam serve` and the Electron
 * main process call exactly this (see main/web/backendFactory.ts).
 *
 * Contract for implementers:
 * - One method per request channel, named after it, taking the parsed request and resolving to the
 *   response (types from channels.ts). Requests arrive already validated by RequestSchemas; responses
 *   are validated on the way out, so a wrong shape shows up as an 'failed' result in tests.
 * - Expected failures (unknown session id, unreadable sequence, no camera, nothing to export) are thrown
 *   as `BackendError(code, message)` with a message in plain words for the user ("No RGB-D sequence
 *   found in /x: expected rgb/ and depth/ folders"). The transport (invokeBackend below) turns every
 *   throw into a `Result` value, so the renderer never sees exceptions. Anything else thrown is reported
 *   as code 'failed' with the error's message.
 * - Events go to every listener registered with `onEvent`, in order, from any point in time:
 *     playback     after every state change (start, play, pause, step, seek, finish, error)
 *     frameStats   after each processed frame
 *     mapDelta     at most ~10 Hz (DEFAULT_MAP_DELTA_HZ) and after a pause/step/finish; each update holds every
 *                  surfel changed since the previous one (fusion's changedSince(lastSentFrame)), sent as packets of
 *                  at most MAP_DELTA_PART_RECORDS surfels (encodeMapDeltaParts(); all but the last flagged `more`);
 *                  reset=true (first part) when the map was cleared (new session, seek backwards) and for the full
 *                  map returned by getMap() (one packet)
 *     preview      the current input RGB, colour-mapped depth, segmentation overlay (preview.ts helpers),
 *                  small (≤ 320 px wide), rate-limited like mapDelta
 *     trajectory   after each frame: camera centres appended from `from`, current pose and intrinsics
 *     sessions     after a session is created, renamed or deleted
 *     error        plain words; fatal=true when the session stopped
 *   Listeners must not throw; a backend may call them synchronously.
 * - `startReplay({source:'demo'})` runs a generated demo scene (no files needed); this is what the
 *   end-to-end tests use, so it must work without the network model weights (fall back to the
 *   sequence's ground-truth labels or no labels, and say which in the session summary/errors).
 * - `dispose()` stops the pipeline and releases files; the transport calls it once at shutdown.
 */
import type { AppEvent, ErrorCode, RequestChannel, RequestOf, ResponseOf, Result } from './channels.js';
import { parseRequest, parseResponse } from './channels.js';

export const DEFAULT_MAP_DELTA_HZ = 10;

export type AppBackendHandlers = { [C in RequestChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

export interface AppBackend extends AppBackendHandlers {
  /** Registers an event listener; returns the function that removes it. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  dispose(): Promise<void>;
}

/** An expected failure, with a message in plain words for the user. */
export class BackendError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/**
 * The one place a request crosses into the backend: validates the request, calls the handler,
 * validates the response, and turns every failure into a Result value.
 */
export async function invokeBackend(backend: AppBackendHandlers, channel: RequestChannel, payload: unknown): Promise<Result<unknown>> {
  const req = parseRequest(channel, payload);
  if (!req.ok) return { ok: false, error: { code: 'invalid-request', message: req.message } };
  let value: unknown;
  try {
    const handler = backend[channel] as (r: unknown) => Promise<unknown>;
    value = await handler.call(backend, req.value);
  } catch (e) {
    if (e instanceof BackendError) return { ok: false, error: { code: e.code, message: e.message } };
    return { ok: false, error: { code: 'failed', message: e instanceof Error ? e.message : String(e) } };
  }
  const res = parseResponse(channel, value);
  if (!res.ok) return { ok: false, error: { code: 'failed', message: `internal: ${res.message}` } };
  return { ok: true, value: res.value };
}
