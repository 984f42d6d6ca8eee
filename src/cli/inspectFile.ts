import { DicomError } from '../core/dicom/dicomError.ts';
import { decodeFrame } from '../core/dicom/decodeFrame.ts';
import { parseDicom } from '../core/dicom/parseDicom.ts';
import { readImageHeader } from '../core/dicom/readHeader.ts';
import { decodeRasterImage, rasterKindOf } from '../core/ingest/rasterImage.ts';
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
    const images: MedicalImage[] = [];
    if (rasterKindOf(bytes)) images.push(decodeRasterImage(bytes, file));
    else {
      const parsed = parseDicom(bytes);
      const header = readImageHeader(parsed);
      // Frames one at a time: stats are accumulated, pixels are not kept.
      const acc = new StatsAccumulator();
      let first: MedicalImage | undefined;
      for (let f = 0; f < header.numberOfFrames; f++) {
        const image = await decodeFrame(parsed, header, f, file);
        acc.add(image.pixels);
        if (!first) first = { ...image, pixels: new Uint8Array(0) };
      }
      return record(file, first!, header.numberOfFrames, acc.result());
    }
    const acc = new StatsAccumulator();
    acc.add(images[0].pixels);
    return record(file, images[0], 1, acc.result());
  } catch (e) {
    const err = e instanceof DicomError ? e : new DicomError('decode-failed', e instanceof Error ? e.message : String(e));
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
