import { asDicomError } from '../core/dicom/dicomError.ts';
import { loadImages } from '../core/ingest/loadImages.ts';
import type { MedicalImage } from '../core/image/medicalImage.ts';

/** One `inspect` record: per file, not per frame. */
export interface InspectRecord {
  file: string;
  ok: boolean;
  error: { code: string; message: string; action: string } | null;
  modality: string | null;
  rows: number | null;
  columns: number | null;
  frames: number | null;
  transferSyntax: string | null;
  photometric: string | null;
  bitsStored: number | null;
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  seriesInstanceUID: string | null;
  instanceNumber: number | null;
  /**
   * Over modality values (after modality LUT, before VOI, MONOCHROME1 not inverted), all
   * frames and all samples, padding pixels included (what pydicom's apply_modality_lut over
   * the whole array gives).
   */
  stats: { min: number; max: number; mean: number } | null;
}

const empty: Omit<InspectRecord, 'file' | 'ok' | 'error'> = {
  modality: null, rows: null, columns: null, frames: null, transferSyntax: null, photometric: null,
  bitsStored: null, pixelSpacing: null, sliceThickness: null, seriesInstanceUID: null, instanceNumber: null, stats: null,
};

/** Decodes every frame of a file and summarises it; failures become ok:false records. */
export async function inspectBytes(file: string, bytes: Uint8Array): Promise<InspectRecord> {
  try {
    // Frames one at a time: stats are accumulated, pixels are not kept.
    const acc = new StatsAccumulator();
    let first: MedicalImage | undefined;
    let frames = 0;
    for await (const image of loadImages(bytes, file)) {
      acc.add(image.pixels);
      first ??= { ...image, pixels: new Uint8Array(0) };
      frames++;
    }
    return record(file, first!, frames, acc.result());
  } catch (e) {
    const err = asDicomError(e);
    return { file, ok: false, error: { code: err.code, message: err.message, action: err.action }, ...empty };
  }
}

function record(file: string, image: MedicalImage, frames: number, stats: InspectRecord['stats']): InspectRecord {
  return {
    file,
    ok: true,
    error: null,
    modality: image.modality,
    rows: image.rows,
    columns: image.columns,
    frames,
    transferSyntax: image.transferSyntax ?? null,
    photometric: image.photometric,
    bitsStored: image.bitsStored,
    pixelSpacing: image.pixelSpacingMm ?? null,
    sliceThickness: image.sliceThicknessMm ?? null,
    seriesInstanceUID: image.seriesInstanceUID ?? null,
    instanceNumber: image.instanceNumber ?? null,
    stats,
  };
}

class StatsAccumulator {
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private n = 0;
  add(values: ArrayLike<number>): void {
    let min = this.min, max = this.max, sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    this.min = min;
    this.max = max;
    this.sum += sum;
    this.n += values.length;
  }
  result(): InspectRecord['stats'] {
    if (!this.n) return null;
    return { min: this.min, max: this.max, mean: this.sum / this.n };
  }
}
