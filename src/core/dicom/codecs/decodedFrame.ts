/** Raw decoded samples of one frame, before sign extension and modality LUT. */
export interface DecodedFrame {
  /** Interleaved samples (RGB after colour decoders), one word per sample. */
  samples: Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  /** The codec already converted YBR to RGB (JPEG baseline colour, J2K with MCT). */
  convertedToRgb?: boolean;
}

/** What a codec needs from the header. */
export interface FrameSpec {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  pixelRepresentation: 0 | 1;
}
