import { api } from 'dicomweb-client';
import { jsonNumber, jsonString, jsonStrings, tags, type DicomJson } from './dicomJson.ts';
import { PacsError, toPacsError } from './pacsError.ts';

/** The app talks DICOMweb only to its own origin; serve.mjs relays this path to the PACS. */
export const APP_DICOMWEB_PATH = '/dicom-web';

export interface PacsClientOptions {
  /** DICOMweb root. In the browser: `${origin}/dicom-web` (never another origin: the CSP forbids it). */
  url: string;
  /** No answer within this time → a "timeout" error (default 60 s). */
  timeoutMs?: number;
  /** Instances fetched at once while retrieving (default 4). */
  concurrency?: number;
}

export interface StudyQuery {
  /** Matched anywhere in the name ("*" wildcards allowed). */
  patientName?: string;
  patientID?: string;
  /** YYYYMMDD or a range YYYYMMDD-YYYYMMDD. */
  studyDate?: string;
  /** CT, CR, DX… */
  modality?: string;
  limit?: number;
}

export interface StudySummary {
  studyInstanceUID: string;
  patientName: string;
  patientID: string;
  studyDate: string;
  studyDescription: string;
  modalities: string[];
  numberOfSeries?: number;
  numberOfInstances?: number;
}

export interface SeriesSummary {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  seriesDescription: string;
  seriesNumber?: number;
  numberOfInstances?: number;
  /** False for SR, SEG, PR, KO, documents…: nothing LungLens can analyse. */
  isImage: boolean;
}

export interface RetrievedFile {
  /** A name for the ingest list: study/series/instance UIDs (no patient data). */
  name: string;
  bytes: ArrayBuffer;
}

export interface RetrieveProgress {
  done: number;
  total: number;
}

export interface StoreResult {
  stored: string[];
}

/** Series that hold no pixels LungLens could analyse (or LungLens's own results). */
const NON_IMAGE_MODALITIES = new Set(['SR', 'SEG', 'PR', 'KO', 'DOC', 'RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RTRECORD', 'REG', 'FID', 'AU', 'ECG', 'HD', 'PLAN']);

/**
 * LungLens's PACS client: QIDO-RS search, WADO-RS retrieval with progress and STOW-RS, through
 * dicomweb-client, with every failure turned into a PacsError that says what to do.
 */
export class PacsClient {
  private readonly client: InstanceType<typeof api.DICOMwebClient>;
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(options: PacsClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    const timeoutMs = this.timeoutMs;
    this.client = new api.DICOMwebClient({
      url: options.url.replace(/\/+$/, ''),
      singlepart: false,
      verbose: false,
      // A PACS that never answers must not hang the app: every request gets a time limit.
      requestHooks: [
        // dicomweb-client accepts only hooks declared with both parameters (request, metadata).
        (xhr: XMLHttpRequest & { __startedAt?: number }, _metadata: unknown) => {
          xhr.timeout = timeoutMs;
          xhr.__startedAt = Date.now();
          return xhr;
        },
      ],
    });
  }

  async searchStudies(query: StudyQuery): Promise<StudySummary[]> {
    const queryParams: Record<string, string> = { includefield: '00081030,00080061,00201206,00201208', limit: String(query.limit ?? 50) };
    if (query.patientName?.trim()) queryParams.PatientName = wildcard(query.patientName.trim());
    if (query.patientID?.trim()) queryParams.PatientID = query.patientID.trim();
    if (query.studyDate?.trim()) queryParams.StudyDate = query.studyDate.trim().replace(/[^0-9-]/g, '');
    if (query.modality?.trim()) queryParams.ModalitiesInStudy = query.modality.trim().toUpperCase();
    const rows = (await this.call('Search studies', () => this.client.searchForStudies({ queryParams }))) as DicomJson[];
    return (rows ?? []).map((r) => ({
      studyInstanceUID: jsonString(r, tags.studyInstanceUID),
      patientName: jsonString(r, tags.patientName),
      patientID: jsonString(r, tags.patientID),
      studyDate: jsonString(r, tags.studyDate),
      studyDescription: jsonString(r, tags.studyDescription),
      modalities: jsonStrings(r, tags.modalitiesInStudy),
      numberOfSeries: jsonNumber(r, tags.numberOfStudyRelatedSeries),
      numberOfInstances: jsonNumber(r, tags.numberOfStudyRelatedInstances),
    }));
  }

  async listSeries(studyInstanceUID: string): Promise<SeriesSummary[]> {
    const rows = (await this.call('List series', () =>
      this.client.searchForSeries({ studyInstanceUID, queryParams: { includefield: '0008103E,00200011,00201209' } }),
    )) as DicomJson[];
    return (rows ?? []).map((r) => {
      const modality = jsonString(r, tags.modality).toUpperCase();
      return {
        studyInstanceUID,
        seriesInstanceUID: jsonString(r, tags.seriesInstanceUID),
        modality,
        seriesDescription: jsonString(r, tags.seriesDescription),
        seriesNumber: jsonNumber(r, tags.seriesNumber),
        numberOfInstances: jsonNumber(r, tags.numberOfSeriesRelatedInstances),
        isImage: !NON_IMAGE_MODALITIES.has(modality),
      };
    });
  }

  /**
   * Every instance of one series, a few at a time, reporting instances done. If any instance
   * fails mid-way the whole retrieval fails as "cut-off", saying how far it got.
   */
  async retrieveSeries(studyInstanceUID: string, seriesInstanceUID: string, onProgress?: (p: RetrieveProgress) => void): Promise<RetrievedFile[]> {
    const rows = (await this.call('List instances', () => this.client.searchForInstances({ studyInstanceUID, seriesInstanceUID }))) as DicomJson[];
    const uids = (rows ?? []).map((r) => jsonString(r, tags.sopInstanceUID)).filter(Boolean);
    if (uids.length === 0) throw new PacsError('not-found', `Series ${seriesInstanceUID} has no instances on the PACS.`);
    const out: RetrievedFile[] = new Array(uids.length);
    let next = 0;
    let done = 0;
    onProgress?.({ done, total: uids.length });
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= uids.length) return;
        let bytes: ArrayBuffer;
        try {
          bytes = await this.client.retrieveInstance({ studyInstanceUID, seriesInstanceUID, sopInstanceUID: uids[i] } as Parameters<typeof this.client.retrieveInstance>[0]);
        } catch (e) {
          const cause = toPacsError(e, 'Retrieve', this.timeoutMs);
          throw new PacsError('cut-off', `Retrieval cut off after ${done} of ${uids.length} images: ${cause.message} Nothing was opened; try again.`, cause.status);
        }
        if (!(bytes instanceof ArrayBuffer) || bytes.byteLength < 132) {
          throw new PacsError('cut-off', `Retrieval cut off after ${done} of ${uids.length} images: image ${uids[i]} arrived empty or incomplete. Nothing was opened; try again.`);
        }
        out[i] = { name: `${studyInstanceUID}/${seriesInstanceUID}/${uids[i]}.dcm`, bytes };
        done++;
        onProgress?.({ done, total: uids.length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, uids.length) }, worker));
    return out;
  }

  /**
   * The study's image series (non-image series such as SR or SEG are listed as skipped);
   * fails with "no-image-series" when nothing is left to open.
   */
  async retrieveStudy(studyInstanceUID: string, onProgress?: (p: RetrieveProgress) => void): Promise<{ files: RetrievedFile[]; skipped: SeriesSummary[] }> {
    const series = await this.listSeries(studyInstanceUID);
    if (series.length === 0) throw new PacsError('not-found', `Study ${studyInstanceUID} is not on the PACS (no series).`);
    const images = series.filter((s) => s.isImage);
    const skipped = series.filter((s) => !s.isImage);
    if (images.length === 0) {
      throw new PacsError('no-image-series', `Study ${studyInstanceUID} has no image series to analyse (only ${skipped.map((s) => s.modality || '?').join(', ')}).`);
    }
    const total = images.reduce((n, s) => n + (s.numberOfInstances ?? 0), 0);
    let before = 0;
    const files: RetrievedFile[] = [];
    for (const s of images) {
      const got = await this.retrieveSeries(studyInstanceUID, s.seriesInstanceUID, (p) => onProgress?.({ done: before + p.done, total: Math.max(total, before + p.total) }));
      before += got.length;
      files.push(...got);
    }
    return { files, skipped };
  }

  /** STOW-RS; a PACS that rejects any instance (FailedSOPSequence or an HTTP error) → "store-rejected". */
  async store(datasets: readonly Uint8Array[]): Promise<StoreResult> {
    const buffers = datasets.map((d) => d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
    let response: unknown;
    try {
      response = await this.client.storeInstances({ datasets: buffers });
    } catch (e) {
      const err = toPacsError(e, 'Store results', this.timeoutMs);
      if (err.code === 'http' || err.code === 'not-found') throw new PacsError('store-rejected', `The PACS rejected the results: ${err.message}`, err.status);
      throw err;
    }
    const body = parseJson(response);
    const failed = (body?.[tags.failedSOPSequence]?.Value ?? []) as DicomJson[];
    if (failed.length) {
      const reasons = failed.map((f) => `${jsonString(f, tags.referencedSOPInstanceUID)} (reason ${jsonString(f, tags.failureReason) || '?'})`);
      throw new PacsError('store-rejected', `The PACS rejected ${failed.length} of ${datasets.length} objects: ${reasons.join(', ')}.`);
    }
    const stored = ((body?.[tags.referencedSOPSequence]?.Value ?? []) as DicomJson[]).map((r) => jsonString(r, tags.referencedSOPInstanceUID));
    return { stored };
  }

  private async call<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toPacsError(e, what, this.timeoutMs);
    }
  }
}

/** QIDO matching is exact unless wildcards are given; users expect "part of the name". */
function wildcard(text: string): string {
  return /[*?]/.test(text) ? text : `*${text}*`;
}

function parseJson(response: unknown): DicomJson | undefined {
  if (response && typeof response === 'object' && !(response instanceof ArrayBuffer)) return response as DicomJson;
  const text = typeof response === 'string' ? response : response instanceof ArrayBuffer ? new TextDecoder().decode(response) : '';
  try {
    return text ? (JSON.parse(text) as DicomJson) : undefined;
  } catch {
    return undefined;
  }
}
