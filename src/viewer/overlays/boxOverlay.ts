import type { OverlayPainter } from '../stackViewer.ts';
import type { DetectionBox } from '../../core/analyses/cxr/detectionBox.ts';
import type { OverlayStyle } from './overlayStyle.ts';


/** Boxes with their scores, drawn in image pixels; line width stays ~2 screen px at any zoom. */
export function boxPainter(boxes: readonly DetectionBox[], style: OverlayStyle, label: string): OverlayPainter {
  return (ctx) => {
    const scale = ctx.getTransform().a || 1;
    ctx.lineWidth = 2 / scale;
    ctx.strokeStyle = style.boxColor;
    ctx.fillStyle = style.boxColor;
    ctx.font = `${Math.round(12 / scale)}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    for (const b of boxes) {
      ctx.strokeRect(b.x, b.y, b.w, b.h);
      ctx.fillText(`${label} ${(b.score * 100).toFixed(0)}%`, b.x + 2 / scale, b.y - 2 / scale);
    }
  };
}
