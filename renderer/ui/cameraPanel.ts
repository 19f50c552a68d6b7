/**
 * The camera panel: device and resolution pickers, intrinsics (field of view or a calibration file), recording,
 * start/stop. Capture runs here (renderer/camera); the backend maps the frames in rgb mode. A calibration file
 * goes to the backend as text and is read there by the camera-file parser `--camera FILE` and the open dialog
 * use (ROS camera_info YAML, OpenCV YAML/JSON, Open3D JSON, semslam.json), whose errors name the file.
 */
import type { AppClient } from '../../main/contract/client.js';
import type { PlaybackState } from '../../main/contract/channels.js';
import { CAPTURE_SIZES } from '../camera/calibration.js';
import { CameraCapture, describeCameraError, listCameras } from '../camera/capture.js';
import { byId, el } from './dom.js';
import { MAX_CALIBRATION_BYTES } from './sourceCamera.js';

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
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      this.calibration = null;
      if (file && file.size > MAX_CALIBRATION_BYTES) {
        input.value = '';
        return this.host.showError(`${file.name}: ${Math.round(file.size / 1024)} KiB is too large for a camera calibration file`);
      }
      if (file) this.calibration = { name: file.name, text: await file.text() };
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

  private async start(): Promise<void> {
    if (this.capture) return this.host.showError('The camera is already running: stop it first.');
    const [width, height] = byId<HTMLSelectElement>('camera-size').value.split('x').map(Number);
    const calibration = this.calibration;
    const fovDeg = Number(byId<HTMLInputElement>('camera-fov').value);
    if (!calibration && !(fovDeg > 1 && fovDeg < 179)) return this.host.showError('The field of view must be between 1° and 179° (typical webcams: 60–70°).');
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
      ...(calibration ? { calibration } : { fovDeg }), record: byId<HTMLInputElement>('camera-record').checked,
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
