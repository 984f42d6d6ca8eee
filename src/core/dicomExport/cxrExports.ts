import type { ExportFile, ExportInput } from '../analyses/analysisModule.ts';
import { CXR_MODELS } from '../analyses/cxr/cxrAnalysis.ts';
import { isCxrAssessed, type CxrRecord } from '../analyses/cxr/cxrRecord.ts';
import { writeCxrMeasurementReport } from './cxrMeasurementReport.ts';
import { algorithmOf, lunglensProducer, safeUid, sourceSeriesFor } from './exportSources.ts';

/** One TID 1500 SR per analysed radiograph: class probabilities and every detector's boxes on the image. */
export async function buildCxrDicom(input: ExportInput<CxrRecord, unknown>): Promise<ExportFile[]> {
if (input.slices.length === 0) throw new Error('Analyse the image first: there is nothing to export.');
  const files: ExportFile[] = [];
  for (const slice of input.slices) {
    const r = slice.record;
    // an image the input gate refused has no findings to report: no SR (the record says why)
    if (!isCxrAssessed(r)) continue;
    const source = await sourceSeriesFor(input, [slice.index]);
    const model = (id: string) => algorithmOf(r.models, id);
    const sr = writeCxrMeasurementReport({
      series: source,
      classification: { model: model(CXR_MODELS.classification), probabilities: r.classification.probabilities },
      detections: [
        { name: 'A', models: [model(CXR_MODELS.detectorA)], boxes: r.detections.A },
        { name: 'B', models: [model(CXR_MODELS.detectorB)], boxes: r.detections.B },
        { name: 'ensemble', models: [model(CXR_MODELS.detectorA), model(CXR_MODELS.detectorB)], boxes: r.detections.ensemble },
      ],
      infection: { model: model(CXR_MODELS.segmentation), percentOfLung: r.infectionPercentOfLung },
      producer: lunglensProducer,
    });
    files.push({ name: `${safeUid(source.images[0].sopInstanceUID, `image-${slice.index + 1}`)}.sr.dcm`, mediaType: 'application/dicom', bytes: sr.bytes });
  }
  return files;
}
