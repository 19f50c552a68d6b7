/**
 * The open dialog's camera fields: which camera took a recording whose own files do not say (a named
 * camera, fx fy cx cy typed, or a calibration file), its depth scale, and the colour camera when colour
 * comes from another camera than depth. Only what the page can tell is
 * checked here (a field chosen but left empty, a file too large to be a calibration); the numbers and the
 * file are checked by the backend with the CLI's parsers, whose errors start with the field's name, which
 * marks that field.
 */
import type { ReplayCamera } from '../../main/contract/channels.js';
import { REPLAY_CAMERA_FIELDS } from '../../main/contract/channels.js';
import { CAMERA_PRESET_IDS, CAMERA_PRESETS, type CameraPreset } from '../../main/sources/cameraPresets.js';
import { byId, el } from './dom.js';

/** Camera files are a few hundred bytes; anything this large was picked by mistake. */
/** What the backend accepts of a calibration file's text (ReplayCameraSchema, StartCameraSchema). */
export const MAX_CALIBRATION_BYTES = 256 * 1024;

export type CameraFieldsResult = { ok: true; camera: ReplayCamera | undefined } | { ok: false; message: string };

export class SourceCameraFields {
  private readonly kind = byId<HTMLSelectElement>('source-camera-kind');
  private readonly intrinsics = byId<HTMLInputElement>('source-intrinsics');
  private readonly calibration = byId<HTMLInputElement>('source-calibration');
  private readonly depthScale = byId<HTMLInputElement>('source-depth-scale');
  private readonly colourCamera = byId<HTMLInputElement>('source-colour-camera');

  constructor() {
    const known = el('optgroup', { label: 'Known cameras' });
    for (const id of CAMERA_PRESET_IDS) known.append(el('option', { value: `preset:${id}`, textContent: CAMERA_PRESETS[id].label }));
    this.kind.append(known);
    this.kind.addEventListener('change', () => this.showChosen());
    for (const input of this.inputs()) {
      input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    }
    this.showChosen();
  }

  /** The fields as a request's `camera` (undefined when every field says "as the recording says"). */
  async read(): Promise<CameraFieldsResult> {
    this.clearMarks();
    const camera: { -readonly [K in keyof ReplayCamera]: ReplayCamera[K] } = {};
    const kind = this.kind.value;
    if (kind === 'intrinsics') {
      const text = this.intrinsics.value.trim();
      if (!text) return this.fail(this.intrinsics, `${REPLAY_CAMERA_FIELDS.intrinsics}: type fx, fy, cx, cy in pixels (e.g. 525, 525, 319.5, 239.5), or choose "as the recording says"`);
      camera.intrinsics = text;
    } else if (kind === 'file') {
      const file = this.calibration.files?.[0];
      if (!file) return this.fail(this.calibration, 'Calibration file: choose a camera file (ROS camera_info YAML, OpenCV YAML/JSON, Open3D JSON or semslam.json)');
      if (file.size > MAX_CALIBRATION_BYTES) return this.fail(this.calibration, `${file.name}: ${Math.round(file.size / 1024)} KiB is too large for a camera calibration file`);
      camera.calibration = { name: file.name, text: await file.text() };
    } else if (kind.startsWith('preset:')) {
      camera.preset = kind.slice('preset:'.length) as CameraPreset;
    }
    const depthScale = this.depthScale.value.trim();
    if (depthScale) camera.depthScale = depthScale;
    const colourCamera = this.colourCamera.value.trim();
    if (colourCamera) camera.colourCamera = colourCamera;
    return { ok: true, camera: Object.keys(camera).length > 0 ? camera : undefined };
  }

  /** Marks the field a backend error names (its message starts with the field's name or the file's). */
  markError(message: string): void {
    const file = this.calibration.files?.[0];
    const field = message.startsWith(`${REPLAY_CAMERA_FIELDS.intrinsics}:`) ? this.intrinsics
      : message.startsWith(`${REPLAY_CAMERA_FIELDS.depthScale}:`) || /depth-scale does not apply/.test(message) ? this.depthScale
        : message.startsWith(`${REPLAY_CAMERA_FIELDS.preset}:`) ? this.kind
          : message.startsWith(`${REPLAY_CAMERA_FIELDS.colourCamera}:`) ? this.colourCamera
          : file && message.startsWith(`${file.name}:`) ? this.calibration : null;
    if (!field) return;
    this.reveal();
    field.setAttribute('aria-invalid', 'true');
  }

  private fail(field: HTMLElement, message: string): CameraFieldsResult {
    this.reveal();
    field.setAttribute('aria-invalid', 'true');
    return { ok: false, message };
  }

  private reveal(): void {
    byId<HTMLDetailsElement>('source-camera').open = true;
  }

  private clearMarks(): void {
    for (const input of this.inputs()) input.removeAttribute('aria-invalid');
  }

  private inputs(): HTMLElement[] {
    return [this.kind, this.intrinsics, this.calibration, this.depthScale, this.colourCamera];
  }

  private showChosen(): void {
    byId('source-intrinsics-row').hidden = this.kind.value !== 'intrinsics';
    byId('source-calibration-row').hidden = this.kind.value !== 'file';
  }
}
