/**
 * The camera panel: device and resolution pickers, intrinsics (field of view or a calibration file), recording,
 * start/stop. Capture runs here (renderer/camera); the backend maps the frames in rgb mode.
 */
import type { AppClient } from '../../main/contract/client.js';
import type { PlaybackState } from '../../main/contract/channels.js';
import { CAPTURE_SIZES, parseCalibration, type CameraIntrinsics } from '../camera/calibration.js';
import { CameraCapture, describeCameraError, listCameras } from '../camera/capture.js';
import { byId, el } from './dom.js';

export interface CameraPanelHost {
  showError(message: string): void;
  showNotice(message: string): void;
  setPlayback(p: PlaybackState): void;
}

export class CameraPanel {
  private capture: CameraCapture | null = null;
  private calibration: { name: string; text: string } | null = null;
  private readonly state = byId('camera-state');

  constructor(private readonly client: AppClient, private readonly host: CameraPanelHost) {
    const size = byId<HTMLSelectElement>('camera-size');
    for (const s of CAPTURE_SIZES) size.append(el('option', { value: `${s.width}x${s.height}`, textContent: `${s.width}×${s.height}` }));
    byId('camera').addEventListener('click', () => void this.start());
    byId('camera-stop').addEventListener('click', () => void this.stop('stopped'));
    byId('camera-refresh').addEventListener('click', () => void this.refreshDevices());
    byId<HTMLInputElement>('camera-calibration').addEventListener('change', async (e) => {
      const file = (e.target as HTMLInputElement).files?.[0];
      this.calibration = file ? { name: file.name, text: await file.text() } : null;
    });
    this.setState('idle', 'camera off');
    void this.refreshDevices();
  }

  /** Brings the panel into view (the desktop menu's "Start camera"). */
  reveal(): void {
    byId('camera-panel').scrollIntoView({ block: 'nearest' });
    byId('camera-device').focus();
  }

  private async refreshDevices(): Promise<void> {
    const select = byId<HTMLSelectElement>('camera-device');
    const previous = select.value;
    const devices = await listCameras().catch(() => []);
    select.replaceChildren(el('option', { value: '', textContent: 'default camera' }),
      ...devices.map((d) => el('option', { value: d.deviceId, textContent: d.label })));
    if (devices.some((d) => d.deviceId === previous)) select.value = previous;
  }

  private intrinsics(width: number, height: number): CameraIntrinsics | null | 'invalid' {
    if (!this.calibration) return null;
    const r = parseCalibration(this.calibration.name, this.calibration.text, width, height);
    if (!r.ok) {
      this.host.showError(r.message);
      return 'invalid';
    }
    return r.intrinsics;
  }

  private async start(): Promise<void> {
    if (this.capture) return this.host.showError('The camera is already running: stop it first.');
    const [width, height] = byId<HTMLSelectElement>('camera-size').value.split('x').map(Number);
    const intrinsics = this.intrinsics(width, height);
    if (intrinsics === 'invalid') return;
    const fovDeg = Number(byId<HTMLInputElement>('camera-fov').value);
    if (!intrinsics && !(fovDeg > 1 && fovDeg < 179)) return this.host.showError('The field of view must be between 1° and 179° (typical webcams: 60–70°).');
    const select = byId<HTMLSelectElement>('camera-device');
    let capture: CameraCapture;
    this.setState('opening', 'opening the camera…');
    try {
      capture = await CameraCapture.open(select.value, width, height, () => void this.stop('lost'));
    } catch (e) {
      this.setState('idle', 'camera off');
      return this.host.showError(describeCameraError(e));
    }
    const r = await this.client.request('startCamera', {
      device: capture.label || select.selectedOptions[0]?.textContent || 'camera', mode: 'rgb', width, height,
      ...(intrinsics ? { intrinsics } : { fovDeg }), record: byId<HTMLInputElement>('camera-record').checked,
    });
    if (!r.ok) {
      capture.stop();
      this.setState('idle', 'camera off');
      return this.host.showError(r.error.message);
    }
    this.capture = capture;
    this.host.setPlayback(r.value.playback);
    this.setState('running', r.value.recording ? `live · recording to ${r.value.recording}` : 'live');
    // Device labels appear once access was granted.
    void this.refreshDevices();
    void capture.run(async (rgb, timestamp) => {
      const res = await this.client.request('cameraFrame', { timestamp, width, height, rgb });
      if (!res.ok) {
        // The session ended elsewhere (another replay started, an error): stop capturing quietly.
        if (this.capture === capture) await this.stop('ended');
        return false;
      }
      this.state.dataset.sent = String(res.value.received);
      this.state.dataset.dropped = String(res.value.dropped);
      this.state.title = `${res.value.received} frames sent, ${res.value.dropped} dropped to keep up`;
      return true;
    });
  }

  private async stop(why: 'stopped' | 'lost' | 'ended'): Promise<void> {
    const capture = this.capture;
    if (!capture) return;
    this.capture = null;
    capture.stop();
    this.setState('idle', 'camera off');
    if (why === 'ended') return;
    const r = await this.client.request('stopCamera', {});
    const saved = r.ok ? ` The session "${r.value.session.name}" was saved (${r.value.session.frames} frames)${r.value.recording ? `; recording in ${r.value.recording}` : ''}.` : '';
    if (why === 'lost') this.host.showError(`The camera "${capture.label}" stopped sending video (unplugged, or taken by another application).${saved}`);
    else if (r.ok) this.host.showNotice(saved.trim());
    else this.host.showError(r.error.message);
  }

  private setState(state: 'idle' | 'opening' | 'running', text: string): void {
    this.state.dataset.state = state;
    this.state.textContent = text;
    byId<HTMLButtonElement>('camera').disabled = state !== 'idle';
    byId<HTMLButtonElement>('camera-stop').disabled = state !== 'running';
  }
}
