/** AppClient over Electron's preload bridge (window.semslam); payloads are validated here too. */
import type { AppEvent, RequestChannel, RequestOf, ResponseOf, Result } from '../../main/contract/channels.js';
import { parseEvent, parseResponse, ResultErrorSchema } from '../../main/contract/channels.js';
import type { AppClient, PreloadBridge } from '../../main/contract/client.js';

export class IpcClient implements AppClient {
  constructor(private readonly bridge: PreloadBridge) {}

  async request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    const raw = (await this.bridge.request(channel, payload)) as { ok?: unknown; value?: unknown };
    if (raw && raw.ok === true) {
      const r = parseResponse(channel, raw.value);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: { code: 'failed', message: r.message } };
    }
    const err = ResultErrorSchema.safeParse(raw);
    return err.success ? err.data : { ok: false, error: { code: 'failed', message: `${channel}: malformed reply` } };
  }

  onEvent(listener: (e: AppEvent) => void): () => void {
    return this.bridge.onEvent((channel, payload) => {
      const e = parseEvent(channel, payload);
      if (e.ok) listener(e.value);
    });
  }
}
