/** An axis-aligned detection: top-left corner, size and confidence, in one image's pixel grid. */
export interface DetectionBox {
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}
