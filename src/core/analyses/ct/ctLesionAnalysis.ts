/**
 * CT lesion segmentation of one slice (seed 004 U-Net): lesion / GGO / consolidation masks at the slice's
 * own size, the lung mask, and lesion burden as a % of lung area (and mm² when pixel spacing is known).
 *
 * Logits are resized back to the source grid before thresholding (as the training evaluation does);
 * lesion = logit > logit(threshold), kept where its connected component touches the lung mask (the model saw
 * lung crops only, and seed 004 shows lung-only masking matters); kept lesion pixels join the lung mask. A lesion pixel is consolidation when its consolidation logit
 * beats its GGO logit, else GGO. With Hounsfield units (DICOM), lesion pixels in aerated lung and specks are
 * dropped first (lesionHuGate.ts).
 */
import { hasModalityValues, type MedicalImage } from '../../image/medicalImage.ts';
import type { Rect } from '../../imageOps/raster.ts';
import { connectedComponents } from '../../postprocess/connectedComponents.ts';
import { maskArea, toSourceGrid } from '../../postprocess/maskOps.ts';
import { extraNumber, indexOfName, labelsOf, outputByDecode } from '../../runtime/modelFacts.ts';
import type { ModelSession } from '../../runtime/session.ts';
import type { ImageMask } from '../analysisModule.ts';
import { ctModelInput } from './ctSlicePreprocess.ts';
import { gateLesionByHu } from './lesionHuGate.ts';
import type { LungRegion } from './lungCrop.ts';

export interface CtLesionResult {
  /** Lesion area / lung area x 100 (null when no lung was found). */
  lesionPercentOfLung: number | null;
  lesionAreaPx: number;
  /** Model lesion pixels dropped because their component does not touch the lung mask. */
  lesionOutsideLungPx: number;
  lungAreaPx: number;
  /** Present when the image has pixel spacing (DICOM). */
  lesionAreaMm2?: number;
  lungAreaMm2?: number;
  ggoAreaPx: number;
  consolidationAreaPx: number;
  lungFound: boolean;
  /** Crop the models saw, in source pixels. */
  lungBox: Rect;
  masks: { lesion: ImageMask; lung: ImageMask; ggo: ImageMask; consolidation: ImageMask };
}

const VERY_NEGATIVE = -1e4;

/**
 * Outputs by their manifest `decode`: the `sigmoid` one is the lesion logit, the `softmax` one the classes
 * (channel order = `labels`); `extra.threshold` is the lesion probability threshold.
 */
export async function ctLesion(image: MedicalImage, session: ModelSession, lung: LungRegion): Promise<CtLesionResult> {
  const { entry } = session;
  const { tensor, placement } = ctModelInput(image, entry, lung.box);
  const out = await session.run({ [entry.input.name]: tensor });
  const s = placement.inputWidth * placement.inputHeight;
  const lesionLogit = toSourceGrid(out[outputByDecode(entry, 'sigmoid').name].data, placement, VERY_NEGATIVE);
  const cls = out[outputByDecode(entry, 'softmax').name].data;
  const classNames = labelsOf(entry);
  const plane = (name: string) => {
    const k = indexOfName(entry, classNames, name, 'labels');
    return toSourceGrid(cls.slice(k * s, (k + 1) * s), placement, 0);
  };
  const ggoLogit = plane('ground-glass opacity');
  const consLogit = plane('consolidation');
  const t = extraNumber(entry, 'threshold');
  const logitThreshold = Math.log(t / (1 - t));
  const n = image.rows * image.columns;
  // Lesion components (8-connected) that touch the threshold lung mask are lung too: dense consolidation
  // at the pleura is above -320 HU and would otherwise be cut away. Components not touching it are dropped.
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) raw[i] = lesionLogit[i] > logitThreshold ? 1 : 0;
  if (hasModalityValues(image.kind) && image.samplesPerPixel === 1) {
    const mm = image.pixelSpacingMm;
    gateLesionByHu(raw, image.pixels, image.columns, image.rows, mm ? mm[0] * mm[1] : null);
  }
  const { labels, components } = connectedComponents(raw, image.columns, image.rows);
  const touches = new Uint8Array(components.length + 1);
  for (let i = 0; i < n; i++) if (labels[i] && lung.mask[i]) touches[labels[i]] = 1;
  const lungMask = lung.mask.slice();
  const lesion = new Uint8Array(n), ggo = new Uint8Array(n), cons = new Uint8Array(n);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    if (!raw[i]) continue;
    if (!touches[labels[i]]) {
      outside++;
      continue;
    }
    lesion[i] = 1;
    lungMask[i] = 1;
    if (consLogit[i] > ggoLogit[i]) cons[i] = 1;
    else ggo[i] = 1;
  }
  const lungAreaPx = maskArea(lungMask);
  const mask = (data: Uint8Array): ImageMask => ({ rows: image.rows, columns: image.columns, data });
  const lesionAreaPx = maskArea(lesion);
  const result: CtLesionResult = {
    lesionPercentOfLung: lung.found && lungAreaPx > 0 ? (100 * lesionAreaPx) / lungAreaPx : null,
    lesionAreaPx,
    lesionOutsideLungPx: outside,
    lungAreaPx,
    ggoAreaPx: maskArea(ggo),
    consolidationAreaPx: maskArea(cons),
    lungFound: lung.found,
    lungBox: lung.box,
    masks: { lesion: mask(lesion), lung: mask(lungMask), ggo: mask(ggo), consolidation: mask(cons) },
  };
  if (image.pixelSpacingMm) {
    const px = image.pixelSpacingMm[0] * image.pixelSpacingMm[1];
    result.lesionAreaMm2 = lesionAreaPx * px;
    result.lungAreaMm2 = lungAreaPx * px;
  }
  return result;
}
