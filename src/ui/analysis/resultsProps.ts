import type { AnalysisModule, AnalysisRecord, SliceRecord } from '../../core/analyses/analysisModule.ts';
import type { MedicalImage } from '../../core/image/medicalImage.ts';
import type { OverlayPainter } from '../../viewer/stackViewer.ts';
import type { OverlayStyle } from '../../viewer/overlays/overlayStyle.ts';

/**
 * What the analysis panel gives a module's `Results.svelte` (src/core/analyses/<id>/Results.svelte).
 * `painters` is bindable: overlays beyond the module's masks (e.g. boxes that follow the view's controls).
 */
export interface ResultsProps<R extends AnalysisRecord = AnalysisRecord, S = unknown> {
  module: AnalysisModule<R, S>;
  /** Analysed slices so far, in series order. */
  records: SliceRecord<R>[];
  /** Record of the slice on screen, when analysed. */
  current: R | null;
  currentIndex: number;
  sliceCount: number;
  summary: S | null;
  currentImage: MedicalImage | null;
  overlayStyle: OverlayStyle;
  painters: OverlayPainter[];
  /** "Name (id)" of a model for "by ..." captions. */
  modelName: (id: string) => string;
  onPick: (index: number) => void;
}
