import type { MedicalImage } from '../core/image/medicalImage.ts';
import { renderToGray8 } from '../core/dicom/renderToGray8.ts';

/** Draws a small, aspect-preserving preview of an image with its default window. */
export function drawThumbnail(canvas: HTMLCanvasElement, image: MedicalImage, size = 64): void {
  const gray = renderToGray8(image);
  const full = document.createElement('canvas');
  full.width = image.columns;
  full.height = image.rows;
  const rgba = new ImageData(image.columns, image.rows);
  for (let i = 0; i < gray.length; i++) {
    rgba.data[i * 4] = rgba.data[i * 4 + 1] = rgba.data[i * 4 + 2] = gray[i];
    rgba.data[i * 4 + 3] = 255;
  }
  full.getContext('2d')!.putImageData(rgba, 0, 0);
  const scale = size / Math.max(image.columns, image.rows);
  canvas.width = Math.max(1, Math.round(image.columns * scale));
  canvas.height = Math.max(1, Math.round(image.rows * scale));
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(full, 0, 0, canvas.width, canvas.height);
}
