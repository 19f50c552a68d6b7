/**
 * Resizes RGB, depth and label images from one resolution to another with the pixel-centre-correct mapping
 * of scaleIntrinsics (fusion/camera.ts): destination pixel u samples source x = (u + 0.5)·sx − 0.5.
 * Colour is area-averaged over the source footprint (no aliasing when shrinking). Depth and labels take the
 * nearest source sample: averaging depth across an object edge would invent surfaces in mid-air, and
 * averaging label ids is meaningless. Output buffers are owned here and reused (allocation-free per frame).
 */
export class FrameResizer {
  readonly rgb: Uint8Array;
  readonly depth: Float32Array;
  readonly labels: Uint8Array;
  private readonly nearestIndex: Int32Array;
  private readonly x0: Int32Array;
  private readonly x1: Int32Array;
  private readonly y0: Int32Array;
  private readonly y1: Int32Array;

  constructor(readonly srcWidth: number, readonly srcHeight: number, readonly width: number, readonly height: number) {
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
      throw new RangeError(`FrameResizer: target size must be positive integers (got ${width}×${height})`);
    }
    const n = width * height;
    this.rgb = new Uint8Array(3 * n);
    this.depth = new Float32Array(n);
    this.labels = new Uint8Array(n);
    this.nearestIndex = new Int32Array(n);
    const sx = srcWidth / width, sy = srcHeight / height;
    for (let v = 0; v < height; v++) {
      const y = Math.min(srcHeight - 1, Math.max(0, Math.round((v + 0.5) * sy - 0.5)));
      for (let u = 0; u < width; u++) {
        const x = Math.min(srcWidth - 1, Math.max(0, Math.round((u + 0.5) * sx - 0.5)));
        this.nearestIndex[v * width + u] = y * srcWidth + x;
      }
    }
    // Source footprint [x0, x1) of each destination column / row (at least one source pixel).
    this.x0 = new Int32Array(width); this.x1 = new Int32Array(width);
    this.y0 = new Int32Array(height); this.y1 = new Int32Array(height);
    for (let u = 0; u < width; u++) {
      this.x0[u] = Math.min(srcWidth - 1, Math.floor(u * sx));
      this.x1[u] = Math.max(this.x0[u] + 1, Math.min(srcWidth, Math.floor((u + 1) * sx)));
    }
    for (let v = 0; v < height; v++) {
      this.y0[v] = Math.min(srcHeight - 1, Math.floor(v * sy));
      this.y1[v] = Math.max(this.y0[v] + 1, Math.min(srcHeight, Math.floor((v + 1) * sy)));
    }
  }

  get identity(): boolean {
    return this.srcWidth === this.width && this.srcHeight === this.height;
  }

  resizeRgb(src: Uint8Array): Uint8Array {
    const W = this.srcWidth;
    if (this.srcWidth === 2 * this.width && this.srcHeight === 2 * this.height) return this.halveRgb(src);
    for (let v = 0; v < this.height; v++) {
      for (let u = 0; u < this.width; u++) {
        let r = 0, g = 0, b = 0, n = 0;
        for (let y = this.y0[v]; y < this.y1[v]; y++) {
          for (let x = this.x0[u]; x < this.x1[u]; x++) {
            const i = 3 * (y * W + x);
            r += src[i]; g += src[i + 1]; b += src[i + 2]; n++;
          }
        }
        const o = 3 * (v * this.width + u);
        this.rgb[o] = Math.round(r / n); this.rgb[o + 1] = Math.round(g / n); this.rgb[o + 2] = Math.round(b / n);
      }
    }
    return this.rgb;
  }

  /**
   * The common case (640×480 → 320×240): every footprint is 2×2, so the general loop's per-pixel footprint
   * look-ups and division are fixed. Same values: for a sum s ≥ 0 of integers, Math.round(s / 4) = (s + 2) >> 2.
   * Was most of the reading thread's own time (~15 ms a frame on the loaded 2-core machine).
   */
  private halveRgb(src: Uint8Array): Uint8Array {
    const W3 = 3 * this.srcWidth, w = this.width, h = this.height, out = this.rgb;
    for (let v = 0; v < h; v++) {
      let a = 2 * v * W3, o = 3 * v * w;
      for (let u = 0; u < w; u++, a += 6, o += 3) {
        const b = a + W3;
        out[o] = (src[a] + src[a + 3] + src[b] + src[b + 3] + 2) >> 2;
        out[o + 1] = (src[a + 1] + src[a + 4] + src[b + 1] + src[b + 4] + 2) >> 2;
        out[o + 2] = (src[a + 2] + src[a + 5] + src[b + 2] + src[b + 5] + 2) >> 2;
      }
    }
    return out;
  }

  resizeDepth(src: Float32Array): Float32Array {
    for (let i = 0; i < this.depth.length; i++) this.depth[i] = src[this.nearestIndex[i]];
    return this.depth;
  }

  resizeLabels(src: Uint8Array): Uint8Array {
    for (let i = 0; i < this.labels.length; i++) this.labels[i] = src[this.nearestIndex[i]];
    return this.labels;
  }
}
