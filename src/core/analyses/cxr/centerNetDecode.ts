import type { Tensor } from '../../runtime/tensor.ts';
import type { DetectionBox } from './detectionBox.ts';

/**
 * Detector B (anchor-free centre-point, CenterNet family) head decode. Head [1, 5, G, G]: heatmap logit,
 * offset x, offset y (cells), w, h (fractions of the input size). Peaks are 3x3 local maxima of the
 * heatmap (a cell equal to its neighbourhood max, ties kept, as max-pool == value does); done here
 * because ORT's WebGPU EP has no NMS/TopK path we want to rely on. Mirrors `decode_centernet` in
 * training/cxr/det_post.py.
 */
export function decodeCenterNet(head: Tensor, stride: number, inputSize: number, scoreMin: number): DetectionBox[] {
  const [, c, gh, gw] = head.dims;
  if (c !== 5) throw new Error(`CenterNet head must have 5 channels, got ${c}`);
  const plane = gh * gw;
  const d = head.data;
  const heat = new Float64Array(plane);
  for (let i = 0; i < plane; i++) heat[i] = 1 / (1 + Math.exp(-d[i]));
  const out: DetectionBox[] = [];
  for (let row = 0; row < gh; row++) {
    for (let col = 0; col < gw; col++) {
      const i = row * gw + col;
      const v = heat[i];
      if (v < scoreMin || !isLocalMax(heat, gh, gw, row, col)) continue;
      const cx = (col + d[plane + i]) * stride;
      const cy = (row + d[2 * plane + i]) * stride;
      const w = Math.max(d[3 * plane + i], 0) * inputSize;
      const h = Math.max(d[4 * plane + i], 0) * inputSize;
      out.push({ x: cx - w / 2, y: cy - h / 2, w, h, score: v });
    }
  }
  return out;
}

function isLocalMax(heat: Float64Array, gh: number, gw: number, row: number, col: number): boolean {
  const v = heat[row * gw + col];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const r = row + dy;
      const c = col + dx;
      if (r < 0 || c < 0 || r >= gh || c >= gw) continue;
      if (heat[r * gw + c] > v) return false;
    }
  }
  return true;
}
