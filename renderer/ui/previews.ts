/** Input panels: draws preview events (raw RGB or PNG/JPEG) into their canvases. */
import type { Preview } from '../../main/contract/channels.js';

export async function drawPreview(canvas: HTMLCanvasElement, p: Preview): Promise<void> {
  // A CPU-backed canvas: putImageData on a GPU one waits for the GPU process, which with a software GL is busy
  // drawing the map (willReadFrequently is how Chromium is asked for one).
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return;
  if (canvas.width !== p.width || canvas.height !== p.height) {
    canvas.width = p.width;
    canvas.height = p.height;
  }
  if (p.format === 'rgb8') {
    const img = ctx.createImageData(p.width, p.height);
    const n = p.width * p.height;
    // ImageData.data is a DOM getter: read once, not four times a pixel (1.2 M calls for a 640×480 preview).
    const out = img.data, src = p.data;
    for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += 4) {
      out[k] = src[j];
      out[k + 1] = src[j + 1];
      out[k + 2] = src[j + 2];
      out[k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return;
  }
  const bitmap = await createImageBitmap(new Blob([p.data as Uint8Array<ArrayBuffer>], { type: p.format === 'png' ? 'image/png' : 'image/jpeg' }));
  ctx.drawImage(bitmap, 0, 0, p.width, p.height);
  bitmap.close();
}
