import type { AppBackend } from '../../main/contract/backend.js';
import { BackendError } from '../../main/contract/backend.js';
import type { AppEvent, PlaybackState } from '../../main/contract/channels.js';
import { encodeMapDelta } from '../../main/contract/mapDelta.js';

/**
 * The transport is what is tested here, so the backend is a small in-memory one: it keeps a playback
 * state, answers every channel, and emits events on demand.
 */
/** `map`: what getMap returns (default: an empty map). */
export function memoryBackend(map?: Uint8Array): AppBackend & { emit(e: AppEvent): void } {
  const listeners = new Set<(e: AppEvent) => void>();
  let playback: PlaybackState = { state: 'idle', sessionId: null, source: null, mode: 'rgbd', frame: -1, frames: 0, speed: 1, realtime: false };
  const fail = (): never => {
    throw new BackendError('unavailable', 'No camera is connected.');
  };
  const set = async (patch: Partial<PlaybackState>): Promise<PlaybackState> => (playback = { ...playback, ...patch });
  const empty = encodeMapDelta({ count: 0, ids: [], positions: [], normals: [], colors: [], radii: [], confidence: [], labels: [] }, { reset: true, frame: 0, total: 0 });
  return {
    emit: (e) => listeners.forEach((l) => l(e)),
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose: async () => undefined,
    listSessions: async () => ({ sessions: [] }),
    openSession: async ({ id }) => {
      throw new BackendError('not-found', `No session ${id}.`);
    },
    renameSession: fail,
    deleteSession: fail,
    startReplay: fail,
    startCamera: fail,
    cameraFrame: fail,
    stopCamera: fail,
    play: () => set({ state: 'playing' }),
    pause: () => set({ state: 'paused' }),
    step: ({ frames }) => set({ frame: playback.frame + (frames ?? 1) }),
    setSpeed: ({ speed }) => set({ speed }),
    seek: ({ frame }) => set({ frame }),
    getPlayback: async () => playback,
    getMap: async () => ({ packet: (map ?? empty) as Uint8Array<ArrayBuffer> }),
    // Deliberately wrong shape: the transport must catch it.
    exportMap: async () => ({ path: 42 }) as never,
  };
}

