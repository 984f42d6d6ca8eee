/** User-adjustable overlay appearance (settings panel). Colours are CSS hex. */
export interface OverlayStyle {
  visible: boolean;
  opacity: number;
  ggoColor: string;
  consolidationColor: string;
  lesionColor: string;
  lungColor: string;
  boxColor: string;
  showLung: boolean;
}

export const defaultOverlayStyle: OverlayStyle = {
  visible: true,
  opacity: 0.45,
  ggoColor: '#ffd23f',
  consolidationColor: '#ff3b6b',
  lesionColor: '#ff7a1a',
  lungColor: '#3fd0ff',
  boxColor: '#7CFC00',
  showLung: true,
};

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
