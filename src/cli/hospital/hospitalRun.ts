import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisModule, AnalysisRecord, ImageMasks } from '../../core/analyses/analysisModule.ts';
import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { PacsClient } from '../../core/pacs/pacsClient.ts';
import { cliPacsClient, pullStudy, type PulledStudy } from './pacsStudy.ts';
import { SeriesExportCollector } from './seriesExports.ts';

/** The CLI's hospital options: DICOM / NIfTI out, and a PACS in and out. */
export interface HospitalArgs {
  files: string[];
  dicomOut?: string;
  niftiOut?: string;
  dicomweb?: string;
  study?: string;
  store?: boolean;
  /** --series-only prints no slice records, and the exports are built from them. */
  seriesOnly?: boolean;
}

function checkHospitalArgs(a: HospitalArgs): void {
  if ((a.study || a.store) && !a.dicomweb) throw new Error('--study and --store need --dicomweb <PACS DICOMweb URL>');
  if (a.dicomweb && !a.study) throw new Error('--dicomweb needs --study <StudyInstanceUID>');
  if (a.dicomweb && a.files.length) throw new Error('give either files or --dicomweb --study, not both');
  if (a.seriesOnly && (a.dicomOut || a.niftiOut || a.store)) throw new Error('--dicom-out, --nifti-out and --store need the slice results: drop --series-only');
}

interface ItemLike {
  kind: 'image' | 'error' | 'series';
  file: string;
  /** A series record: its summary is what the SR states. */
  out?: unknown;
  image?: MedicalImage;
  module?: AnalysisModule;
  result?: { record: AnalysisRecord; masks: ImageMasks };
}

/**
 * One `analyze` run's hospital side: pulls the study first (--dicomweb --study), collects what the
 * exports need while images are analysed, then writes SEG/SR (--dicom-out) and NIfTI (--nifti-out)
 * and sends SEG + SR back (--store). Returns null when no hospital option is set.
 */
export class HospitalRun {
  private readonly collector = new SeriesExportCollector();
  private pulled?: PulledStudy;
  private client?: PacsClient;

  private constructor(private readonly args: HospitalArgs, private readonly log: (line: string) => void) {}

  static async start(args: HospitalArgs, log: (line: string) => void): Promise<HospitalRun | null> {
    if (!args.dicomOut && !args.niftiOut && !args.dicomweb) return null;
    checkHospitalArgs(args);
    const run = new HospitalRun(args, log);
    if (args.dicomweb && args.study) {
      run.client = cliPacsClient(args.dicomweb);
      run.pulled = await pullStudy(run.client, args.study, log);
      if (run.pulled.skipped.length) log(`skipped non-image series: ${run.pulled.skipped.join(', ')}`);
      args.files.push(...run.pulled.files);
    }
    return run;
  }

  add(item: ItemLike): void {
    if (item.kind === 'series') {
      const r = item.out as { series?: string; summary?: unknown };
      if (r.series && r.summary) this.collector.setSummary(r.series, r.summary);
    } else if (item.kind === 'image' && item.image && item.module && item.result) {
      this.collector.add({ file: item.file, image: item.image, module: item.module, record: item.result.record, masks: item.result.masks });
    }
  }

  /** Writes the exports and stores them; returns what was written / stored. */
  async finish(): Promise<{ written: string[]; stored: string[] }> {
    try {
      const ids = [...(this.args.dicomOut || this.args.store ? ['dicom'] : []), ...(this.args.niftiOut ? ['nifti'] : [])];
      const exports = await this.collector.build(ids);
      const written: string[] = [];
      for (const e of exports) {
        const dir = e.exportId === 'dicom' ? this.args.dicomOut : this.args.niftiOut;
        if (e.unavailable) this.log(`series ${e.seriesInstanceUID}: no ${e.exportId === 'dicom' ? 'DICOM SEG/SR' : 'NIfTI'} written: ${e.unavailable}`);
        if (!dir) continue;
        await mkdir(dir, { recursive: true });
        for (const f of e.files) {
          const target = path.join(dir, f.name);
          await writeFile(target, f.bytes);
          written.push(target);
        }
      }
      let stored: string[] = [];
      if (this.args.store && this.client) {
        const dicom = exports.filter((e) => e.exportId === 'dicom').flatMap((e) => e.files.map((f) => f.bytes));
        if (dicom.length === 0) throw new Error(`nothing to store: ${exports.find((e) => e.unavailable)?.unavailable ?? 'no series was analysed'}`);
        stored = (await this.client.store(dicom)).stored;
        this.log(`stored ${stored.length} object(s) in the PACS`);
      }
      return { written, stored };
    } finally {
      await this.pulled?.dispose();
    }
  }

  /** Removes the pulled study if the run ends early. */
  async dispose(): Promise<void> {
    await this.pulled?.dispose();
  }
}
