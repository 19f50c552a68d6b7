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
    for (let i = 0; i < n; i++) {
      img.data[4 * i] = p.data[3 * i];
      img.data[4 * i + 1] = p.data[3 * i + 1];
      img.data[4 * i + 2] = p.data[3 * i + 2];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return;
  }
  const bitmap = await createImageBitmap(new Blob([p.data as Uint8Array<ArrayBuffer>], { type: p.format === 'png' ? 'image/png' : 'image/jpeg' }));
  ctx.drawImage(bitmap, 0, 0, p.width, p.height);
  bitmap.close();
}
