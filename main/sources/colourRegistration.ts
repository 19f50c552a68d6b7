import type { Intrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import type { Frame, SequenceInfo, SequenceReader } from './frame.js';
import { AdaptingReader } from './indexedReader.js';

/**
 * A colour camera that is not the depth camera (7-Scenes, a raw Kinect v1 stream): its pinhole model and where
 * it sits in the depth camera's frame. The photometric term and the surfels' colour assume colour registered to
 * depth; unregistered, a rotation of θ moves colour pixels by f_colour·θ where tracking expects f_depth·θ, and the
 * photometric term pulls every rotation short (7-Scenes kitchen: rotations 14 % short, fusion/README).
 * The cameras are taken as parallel (rotation identity): a Kinect's are within a fraction of a degree, and
 * `semslam calibrate-colour` fits focal, centre and offset only.
 */
export interface ColourCamera {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  /** Position of a depth-camera point in the colour camera's frame minus its position in the depth camera's (m). */
  readonly tx: number;
  readonly ty: number;
  readonly tz: number;
  /** Where the numbers came from, for messages (a preset, `--colour-camera`, a calibration). */
  readonly source: string;
}

/** `--colour-camera`: `fx,fy,cx,cy,tx,ty,tz` (pixels, metres) or `none` (take colour as registered). */
export function parseColourCamera(text: string, source = '--colour-camera'): ColourCamera | 'none' {
  if (text.trim() === 'none') return 'none';
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 7 || parts.some((x) => !Number.isFinite(x))) {
    throw new InputError(source, `expected seven numbers fx,fy,cx,cy,tx,ty,tz (pixels, metres) or "none", got "${text}"`);
  }
  const [fx, fy, cx, cy, tx, ty, tz] = parts;
  if (!(fx > 0 && fy > 0)) throw new InputError(source, `focal lengths must be > 0, got ${fx}, ${fy}`);
  if (Math.hypot(tx, ty, tz) > 0.5) throw new InputError(source, `the colour camera's offset ${Math.hypot(tx, ty, tz).toFixed(3)} m is more than 0.5 m: is it in metres?`);
  return { fx, fy, cx, cy, tx, ty, tz, source };
}

export function formatColourCamera(c: ColourCamera): string {
  const r = (x: number, d: number): string => String(+x.toFixed(d));
  return [r(c.fx, 1), r(c.fy, 1), r(c.cx, 1), r(c.cy, 1), r(c.tx, 4), r(c.ty, 4), r(c.tz, 4)].join(',');
}

/**
 * Resamples a colour image into the depth camera's pixels: each depth pixel's point, moved into the colour
 * camera, is projected and the colour there taken (nearest pixel). A pixel without depth takes the point at
 * infinity along its ray (where the offset no longer matters). `register` allocates nothing.
 */
export class ColourRegistration {
  readonly out: Uint8Array;

  constructor(readonly depth: Intrinsics, readonly colour: ColourCamera) {
    this.out = new Uint8Array(3 * depth.width * depth.height);
  }

  /** rgb: the colour camera's image, the depth image's size; depth: metres in the depth camera (0 = none). */
  register(rgb: Uint8Array, depth: Float32Array, out: Uint8Array = this.out): Uint8Array {
    const c = this.colour, W = this.depth.width, H = this.depth.height, stride = 3 * W;
    const { fx, fy, cx, cy, tx, ty, tz } = c;
    // With no offset along the optical axis (tz = 0, every fitted camera) the projection is the ray's point at
    // infinity, linear in u and v, plus the offset's parallax fx·tx / z: one division a pixel, no table reads.
    const px = fx * tx, py = fy * ty;
    const k = this.depth, au = fx / k.fx, bu = cx - au * k.cx, av = fy / k.fy, bv = cy - av * k.cy;
    const uMax = W - 1, vMax = H - 1;
    for (let v = 0, p = 0; v < H; v++) {
      const vRow = av * v + bv;
      for (let u = 0; u < W; u++, p++) {
        const z = depth[p];
        let uc: number, vc: number;
        if (z > 0) {
          if (tz === 0) {
            const iz = 1 / z;
            uc = au * u + bu + px * iz; vc = vRow + py * iz;
          } else {
            const iz = 1 / (z + tz);
            uc = fx * (z * (u - k.cx) / k.fx + tx) * iz + cx;
            vc = fy * (z * (v - k.cy) / k.fy + ty) * iz + cy;
          }
        } else {
          uc = au * u + bu; vc = vRow;
        }
        // Outside the colour image: the nearest edge pixel (black would read as a strong edge to the photometric term).
        if (uc < 0) uc = 0; else if (uc > uMax) uc = uMax;
        if (vc < 0) vc = 0; else if (vc > vMax) vc = vMax;
        // Nearest sample: bilinear (8-bit fixed point) cost 2.3× as much on the reading thread and gave the same
        // tracking (7-Scenes kitchen 320×240: ATE 2.51 vs 2.52 cm); the colour camera's scale is within 10 % of one.
        const i = ((vc + 0.5) | 0) * stride + 3 * ((uc + 0.5) | 0), o = 3 * p;
        out[o] = rgb[i]; out[o + 1] = rgb[i + 1]; out[o + 2] = rgb[i + 2];
      }
    }
    return out;
  }
}

/** A reader whose colour is registered to depth on the way out (the depth camera's intrinsics and poses stay); no camera: as stored. */
class ColourRegisteringReader extends AdaptingReader {
  private registration: ColourRegistration | undefined;

  constructor(info: SequenceInfo, inner: SequenceReader, private readonly colour: ColourCamera | undefined) {
    super(info, inner);
  }

  protected adapt(f: Frame): Frame {
    if (!this.colour) return f;
    // A frame of another size is passed on untouched for frameCheck to flag; registering it would read out of bounds.
    if (f.width !== this.info.width || f.height !== this.info.height || f.rgb.length !== 3 * f.width * f.height || f.depth.length !== f.width * f.height) return f;
    this.registration ??= new ColourRegistration(f.intrinsics, this.colour);
    // A fresh array: consumers (the prefetch queue, the app) may hold several frames at once.
    return { ...f, rgb: this.registration.register(f.rgb, f.depth, new Uint8Array(f.rgb.length)) };
  }
}

/**
 * Registers colour to depth when the format declares a separate colour camera (SequenceInfo.colourCamera) or the
 * user gives one; `'none'` keeps the colour as it is stored.
 */
export function applyColourRegistration(reader: SequenceReader, wanted: ColourCamera | 'none' | undefined): SequenceReader {
  const info = reader.info;
  if (wanted === 'none') {
    if (!info.colourCamera) return reader;
    const { colourCamera: _unused, ...rest } = info;
    return new ColourRegisteringReader({ ...rest, warnings: [...(info.warnings ?? []), `${info.path}: colour is NOT registered to depth, and --colour-camera none leaves it so`] }, reader, undefined);
  }
  const colour = wanted ?? info.colourCamera;
  if (!colour) return reader;
  const next: SequenceInfo = {
    ...info,
    colourCamera: colour,
    warnings: [...(info.warnings ?? []), `colour registered to depth through the colour camera ${formatColourCamera(colour)} (from ${colour.source})`],
  };
  return new ColourRegisteringReader(next, reader, colour);
}
