/**
 * Pass 1 of a whole-series CT analysis: every analysed slice is decoded once and reduced to its coarse air
 * grid; then the 3-D lung segmentation runs. The host decodes (decode worker in the app, the CLI in Node).
 */
import type { MedicalImage } from '../image/medicalImage.ts';
import type { SliceHeader } from '../series/series.ts';
import { airGridFor, airSlice, type AirSlice } from './airSlice.ts';
import { studyGeometry } from './studyGeometry.ts';
import { segmentStudyLungs, type StudyLungs } from './studyLungs.ts';

export interface StudyReader {
  /** Decodes the i-th slice of `headers` (HU). */
  load(i: number): Promise<MedicalImage>;
  /** Progress after each slice read. */
  onRead?(i: number): void;
}

/** Headers of the slices to analyse, in series order. */
export async function readStudyLungs(headers: readonly SliceHeader[], reader: StudyReader): Promise<StudyLungs> {
  const geometry = studyGeometry(headers);
  const grid = airGridFor(geometry.columns, geometry.rows);
  const air: AirSlice[] = [];
  for (let i = 0; i < headers.length; i++) {
    const image = await reader.load(i);
    if (image.columns !== geometry.columns || image.rows !== geometry.rows) {
      throw new Error(`slice ${i + 1} is ${image.columns}x${image.rows}, the series is ${geometry.columns}x${geometry.rows}`);
    }
    air.push(airSlice(image.pixels, image.columns, image.rows, grid));
    reader.onRead?.(i);
  }
  return segmentStudyLungs(air, grid, geometry);
}
