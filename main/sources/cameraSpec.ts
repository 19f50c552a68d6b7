import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { Intrinsics } from '../../fusion/camera.js';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import { CAMERA_PRESET_IDS, CAMERA_PRESETS, isCameraPreset } from './cameraPresets.js';
import { fileError } from '../io/files.js';

/**
 * What the user tells us about the camera (`--intrinsics`, `--camera FILE`, `--depth-scale`), for sequences
 * whose own files do not say, or say it wrong. Readers apply it over their defaults (see applyCameraSpec).
 */
export interface CameraSpec {
  /** Pinhole parameters; width/height when the source gave them (then rescaled to the images if they differ). */
  readonly intrinsics?: { fx: number; fy: number; cx: number; cy: number; width?: number; height?: number };
  /** Integer depth units per metre (1000 = millimetres, 5000 = TUM). */
  readonly depthUnitsPerMetre?: number;
  /** Non-zero lens distortion the source listed (we do not undistort; the reader warns). */
  readonly distortion?: readonly number[];
  /** Where it came from, for messages: `--intrinsics`, or the file's path. */
  readonly source: string;
}

export interface CameraFlags {
  intrinsics?: string;
  camera?: string;
  cameraPreset?: string;
  depthScale?: string;
}

/**
 * What the user said about the camera, from the CLI's flags or the app's open dialog: a calibration (a file
 * already read) or a named camera, intrinsics typed as text (over either), a depth scale as text.
 */
export interface CameraInput {
  readonly calibration?: CameraSpec;
  readonly preset?: string;
  readonly intrinsics?: string;
  readonly depthScale?: string;
}

/** How messages name each input: the CLI's flags, or the dialog's fields. */
export interface CameraInputNames {
  readonly preset: string;
  readonly intrinsics: string;
  readonly depthScale: string;
  /** Where typed intrinsics came from, in the reader's "intrinsics from …" note. */
  readonly typedIntrinsics: string;
}

export const CLI_CAMERA_NAMES: CameraInputNames = {
  preset: '--camera-preset', intrinsics: '--intrinsics', depthScale: '--depth-scale', typedIntrinsics: '--intrinsics',
};

/** The CameraSpec of the CLI flags (undefined when none is given). --intrinsics wins over the file's. */
export async function cameraSpecFromFlags(flags: CameraFlags): Promise<CameraSpec | undefined> {
  return cameraSpecOf({
    ...(flags.camera !== undefined ? { calibration: await readCameraFile(flags.camera) } : {}),
    ...(flags.cameraPreset !== undefined ? { preset: flags.cameraPreset } : {}),
    ...(flags.intrinsics !== undefined ? { intrinsics: flags.intrinsics } : {}),
    ...(flags.depthScale !== undefined ? { depthScale: flags.depthScale } : {}),
  });
}

/** One CameraSpec of what the user said (undefined when nothing); typed intrinsics win over a file's or a preset's. */
export function cameraSpecOf(input: CameraInput, names: CameraInputNames = CLI_CAMERA_NAMES): CameraSpec | undefined {
  let spec: CameraSpec | undefined = input.calibration;
  if (input.preset !== undefined) {
    if (spec) throw new InputError(names.preset, `a named camera and a calibration file are two answers to one question: give one (${spec.source})`);
    spec = presetSpec(input.preset, names.preset);
  }
  if (input.intrinsics !== undefined) {
    spec = { ...spec, intrinsics: parseIntrinsicsFlag(input.intrinsics, names.intrinsics), source: spec ? `${names.typedIntrinsics} (over ${spec.source})` : names.typedIntrinsics };
  }
  if (input.depthScale !== undefined) {
    spec = { ...(spec ?? { source: names.typedIntrinsics }), depthUnitsPerMetre: parseDepthScale(input.depthScale, names.depthScale) };
  }
  return spec;
}

function presetSpec(name: string, where: string): CameraSpec {
  if (!isCameraPreset(name)) throw new InputError(where, `unknown camera "${name}"; known: ${CAMERA_PRESET_IDS.join(', ')}`);
  const { label, intrinsics } = CAMERA_PRESETS[name];
  return { intrinsics: { ...intrinsics }, source: `${label} (${name})` };
}

/** `fx,fy,cx,cy` or `fx,fy,cx,cy,width,height`. */
export function parseIntrinsicsFlag(value: string, where = CLI_CAMERA_NAMES.intrinsics): NonNullable<CameraSpec['intrinsics']> {
  const parts = value.split(/[,\s]+/).filter((s) => s !== '').map(Number);
  if ((parts.length !== 4 && parts.length !== 6) || parts.some((v) => !Number.isFinite(v))) {
    throw new InputError(where, `expected fx,fy,cx,cy (pixels) or fx,fy,cx,cy,width,height, got "${value}"`);
  }
  const [fx, fy, cx, cy, width, height] = parts;
  if (!(fx > 0 && fy > 0)) throw new InputError(where, `focal lengths must be positive, got fx ${fx}, fy ${fy}`);
  if (width !== undefined && !(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new InputError(where, `width and height must be positive integers, got ${width}×${height}`);
  }
  return width !== undefined ? { fx, fy, cx, cy, width, height } : { fx, fy, cx, cy };
}

export function parseDepthScale(value: string, where = CLI_CAMERA_NAMES.depthScale): number {
  const v = Number(value);
  if (!(value.trim() !== '' && Number.isFinite(v) && v > 0)) throw new InputError(where, `expected depth units per metre (1000 for millimetres, 5000 for TUM), got "${value}"`);
  return v;
}

type Json = Record<string, unknown>;

/**
 * Reads a camera file: ROS camera_info YAML (camera_calibration_parsers), OpenCV FileStorage YAML or JSON
 * (`camera_matrix`/`K`/`cameraMatrix`, `!!opencv-matrix`), Open3D/Redwood intrinsic JSON
 * (`intrinsic_matrix`, column-major), our `semslam.json`, or a plain `{fx, fy, cx, cy, width, height}`.
 */
export async function readCameraFile(path: string): Promise<CameraSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw fileError(path, e, 'camera file');
  }
  return parseCameraFile(path, text);
}

export function parseCameraFile(path: string, text: string): CameraSpec {
  const doc = parseDocument(path, text);
  const root = (typeof doc.intrinsics === 'object' && doc.intrinsics !== null && !Array.isArray(doc.intrinsics) && 'fx' in (doc.intrinsics as Json))
    ? doc.intrinsics as Json // semslam.json
    : doc;
  const width = num(root, ['image_width', 'width', 'imageWidth', 'Camera.width']);
  const height = num(root, ['image_height', 'height', 'imageHeight', 'Camera.height']);
  const size = Array.isArray(root.image_size ?? root.imageSize) ? (root.image_size ?? root.imageSize) as unknown[] : undefined;
  const w = width ?? (size ? Number(size[0]) : undefined);
  const h = height ?? (size ? Number(size[1]) : undefined);

  let fx: number | undefined, fy: number | undefined, cx: number | undefined, cy: number | undefined;
  const flat = ['fx', 'fy', 'cx', 'cy'].map((k) => num(root, [k, `Camera.${k}`, `Camera1.${k}`]));
  if (flat.every((v) => v !== undefined)) {
    [fx, fy, cx, cy] = flat as number[];
  } else {
    const rowMajor = matrix(path, root, ['camera_matrix', 'K', 'k', 'cameraMatrix', 'camera_matrix_left', 'M1']);
    const colMajor = matrix(path, root, ['intrinsic_matrix']);
    const K = rowMajor ?? (colMajor ? [colMajor[0], colMajor[3], colMajor[6], colMajor[1], colMajor[4], colMajor[7], colMajor[2], colMajor[5], colMajor[8]] : undefined);
    if (!K) {
      const missing = ['fx', 'fy', 'cx', 'cy'].filter((_, i) => flat[i] === undefined);
      throw new InputError(path, `no camera matrix: expected camera_matrix (ROS/OpenCV), K, intrinsic_matrix (Open3D) or fx, fy, cx, cy; missing ${missing.join(', ')}`);
    }
    [fx, cx, fy, cy] = [K[0], K[2], K[4], K[5]];
  }
  for (const [name, v] of [['fx', fx], ['fy', fy], ['cx', cx], ['cy', cy]] as const) {
    if (!Number.isFinite(v)) throw new InputError(path, `${name} is not a number`);
  }
  if (!(fx! > 0 && fy! > 0)) throw new InputError(path, `focal lengths must be positive, got fx ${fx}, fy ${fy}`);
  if ((w === undefined) !== (h === undefined) || (w !== undefined && !(Number.isInteger(w) && w > 0 && Number.isInteger(h) && h! > 0))) {
    throw new InputError(path, `image size must be two positive integers, got width ${String(w)}, height ${String(h)}`);
  }
  const distortion = matrix(path, root, ['distortion_coefficients', 'D', 'd', 'distCoeffs', 'dist_coeffs'], false);
  const depthUnits = num(root, ['depth_scale', 'depthScale', 'DepthMapFactor', 'depth_units_per_metre']);
  return {
    intrinsics: w !== undefined ? { fx: fx!, fy: fy!, cx: cx!, cy: cy!, width: w, height: h! } : { fx: fx!, fy: fy!, cx: cx!, cy: cy! },
    ...(distortion && distortion.some((v) => v !== 0) ? { distortion } : {}),
    ...(depthUnits !== undefined && depthUnits > 0 ? { depthUnitsPerMetre: depthUnits } : {}),
    source: path,
  };
}

function parseDocument(path: string, text: string): Json {
  const isJson = extname(path).toLowerCase() === '.json' || /^\s*\{/.test(text);
  let value: unknown;
  if (isJson) {
    try { value = JSON.parse(text); } catch (e) { throw new InputError(path, `not valid JSON (${(e as Error).message})`); }
  } else {
    // OpenCV writes a `%YAML:1.0` directive that YAML 1.2 parsers refuse; its `!!opencv-matrix` tag is a plain map to us.
    const doc = YAML.parseDocument(text.replace(/^%YAML:1\.0[^\n]*\n/, ''));
    if (doc.errors.length > 0) throw new InputError(path, `not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
    value = doc.toJS();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(path, 'expected a mapping of camera fields at the top level');
  return value as Json;
}

function lookup(obj: Json, key: string): unknown {
  if (key in obj) return obj[key];
  const dot = key.indexOf('.');
  if (dot > 0) {
    const inner = obj[key.slice(0, dot)];
    if (typeof inner === 'object' && inner !== null) return (inner as Json)[key.slice(dot + 1)];
  }
  return undefined;
}

function num(obj: Json, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = lookup(obj, k);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
}

/** A matrix as a flat array: a plain array, or a `{rows, cols, data}` record (ROS and OpenCV). */
function matrix(path: string, obj: Json, keys: readonly string[], is3x3 = true): number[] | undefined {
  for (const k of keys) {
    const v = lookup(obj, k);
    if (v === undefined) continue;
    const data = Array.isArray(v) ? v.flat() : typeof v === 'object' && v !== null && Array.isArray((v as Json).data) ? (v as Json).data as unknown[] : undefined;
    if (!data) throw new InputError(path, `${k}: expected an array or {rows, cols, data}`);
    const values = data.map(Number);
    if (values.some((x) => !Number.isFinite(x))) throw new InputError(path, `${k}: not all numbers`);
    if (is3x3 && values.length !== 9) throw new InputError(path, `${k}: expected 9 values (3×3), found ${values.length}`);
    return values;
  }
  return undefined;
}

/**
 * The intrinsics a spec gives for images of `width`×`height` (rescaled when the spec names another size),
 * with a warning when rescaled; undefined when the spec has none.
 */
export function specIntrinsics(spec: CameraSpec | undefined, width: number, height: number, warnings: string[]): Intrinsics | undefined {
  const k = spec?.intrinsics;
  if (!k) return undefined;
  if (spec.distortion) warnings.push(`${spec.source}: lens distortion [${spec.distortion.map((v) => v.toPrecision(3)).join(', ')}] is not corrected (pinhole model used)`);
  if (k.width === undefined || k.height === undefined || (k.width === width && k.height === height)) {
    return { width, height, fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy };
  }
  warnings.push(`${spec.source}: calibrated at ${k.width}×${k.height}, images are ${width}×${height}; intrinsics rescaled`);
  return scaleIntrinsics({ width: k.width, height: k.height, fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy }, width, height);
}
