export interface JpegDctResult {
  width: number;
  height: number;
  components: number;
  precision: number;
  data: Uint8Array | Uint16Array;
}
export function decodeJpegDct(bytes: Uint8Array, colorTransform?: boolean): JpegDctResult;
