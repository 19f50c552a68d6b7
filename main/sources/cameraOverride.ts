import { InputError } from '../errors.js';
import type { CameraSpec } from './cameraSpec.js';
import { specIntrinsics } from './cameraSpec.js';
import type { Frame, SequenceFormat, SequenceInfo, SequenceReader } from './frame.js';
import { AdaptingReader } from './indexedReader.js';

/**
 * `--intrinsics` / `--camera` / `--depth-scale` over a folder reader. The folder formats fix their camera
 * (TUM guesses fr1/2/3 from the folder name, single pairs assume one); the user's word replaces it.
 * Depth scale: the folder's integer depth is recovered exactly (round(d · native units)) and divided by
 * the user's units, so a TUM-layout folder of millimetre PNGs reads right with `--depth-scale 1000`.
 * (Bags and .klg logs take the spec in their own readers: their files may carry a calibration.)
 */
const NATIVE_DEPTH_UNITS: Partial<Record<SequenceFormat, number>> = {
  'tum': 5000, 'icl-nuim': 5000, '7scenes': 1000, 'redwood': 1000,
};

/** Reader warnings about the camera the spec replaces (assumed or rescaled intrinsics). */
const CAMERA_WARNING = /intrinsics (assumed|rescaled)|camera unknown|camera not named/;

class CameraOverrideReader extends AdaptingReader {
  constructor(info: SequenceInfo, inner: SequenceReader, private readonly depthFactor: { native: number; user: number } | undefined) {
    super(info, inner);
  }

  protected adapt(f: Frame): Frame {
    let depth = f.depth;
    if (this.depthFactor) {
      const { native, user } = this.depthFactor;
      depth = new Float32Array(f.depth.length);
      for (let p = 0; p < depth.length; p++) {
        const d = f.depth[p];
        depth[p] = d > 0 ? Math.round(d * native) / user : 0;
      }
    }
    return { ...f, depth, intrinsics: this.info.intrinsics };
  }
}

export function applyCameraSpec(reader: SequenceReader, spec: CameraSpec | undefined): SequenceReader {
  if (!spec) return reader;
  const info = reader.info;
  const warnings: string[] = [];
  const intrinsics = specIntrinsics(spec, info.width, info.height, warnings);
  let depthFactor: { native: number; user: number } | undefined;
  if (spec.depthUnitsPerMetre !== undefined) {
    const native = NATIVE_DEPTH_UNITS[info.format];
    if (native === undefined) {
      throw new InputError(info.path, `--depth-scale does not apply to ${info.format} sequences (their depth is not stored as integer units per metre)`);
    }
    if (native !== spec.depthUnitsPerMetre) depthFactor = { native, user: spec.depthUnitsPerMetre };
  }
  const kept = (info.warnings ?? []).filter((w) => !(intrinsics && CAMERA_WARNING.test(w)));
  const next: SequenceInfo = {
    ...info,
    ...(intrinsics ? { intrinsics } : {}),
    warnings: [...kept, ...warnings, ...(intrinsics ? [`intrinsics from ${spec.source}`] : []), ...(depthFactor ? [`depth read at ${depthFactor.user} units per metre (${info.format} default ${depthFactor.native})`] : [])],
  };
  return new CameraOverrideReader(next, reader, depthFactor);
}
