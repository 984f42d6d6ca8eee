import type { Tensor } from '../../runtime/tensor.ts';
import type { DetectionBox } from './detectionBox.ts';

/**
 * Detector A (single-shot, anchor-free YOLO-style grid) head decode. The head is [1, 5, G, G]:
 * objectness logit, tx, ty, tw, th per cell. As in YOLOv5 the centre may move half a cell outside
 * its cell: cx = (col + 2*sigmoid(tx) - 0.5) * stride; w = sigmoid(tw) * inputSize.
 * Mirrors `decode_yolo` in training/cxr/det_post.py.
 */
export function decodeYoloGrid(head: Tensor, stride: number, inputSize: number, scoreMin: number): DetectionBox[] {
  const [, c, gh, gw] = head.dims;
  if (c !== 5) throw new Error(`YOLO grid head must have 5 channels, got ${c}`);
  const plane = gh * gw;
  const d = head.data;
  const out: DetectionBox[] = [];
  for (let row = 0; row < gh; row++) {
    for (let col = 0; col < gw; col++) {
      const i = row * gw + col;
      const score = sigmoid(d[i]);
      if (score < scoreMin) continue;
      const cx = (col + 2 * sigmoid(d[plane + i]) - 0.5) * stride;
      const cy = (row + 2 * sigmoid(d[2 * plane + i]) - 0.5) * stride;
      const w = sigmoid(d[3 * plane + i]) * inputSize;
      const h = sigmoid(d[4 * plane + i]) * inputSize;
      out.push({ x: cx - w / 2, y: cy - h / 2, w, h, score });
    }
  }
  return out;
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}
