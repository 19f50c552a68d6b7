/**
 * Pinhole camera model shared by sources, fusion, perception and the renderer.
 * Convention: OpenCV camera frame (x right, y down, z forward), pixel centres at integer coordinates.
 */
export interface Intrinsics {
  readonly width: number;
  readonly height: number;
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
}

/** Intrinsics of the same camera seen at another resolution (pixel-centre-correct). */
export function scaleIntrinsics(k: Intrinsics, width: number, height: number): Intrinsics {
  const sx = width / k.width;
  const sy = height / k.height;
  return {
    width,
    height,
    fx: k.fx * sx,
    fy: k.fy * sy,
    cx: (k.cx + 0.5) * sx - 0.5,
    cy: (k.cy + 0.5) * sy - 0.5,
  };
}
