/**
 * Severity bands over the infected share of lung, after the 0–5 CT severity scale widely
 * used for COVID-19 pneumonia (per-lobe involvement <5 %, 5–25 %, 26–50 %, 51–75 %, >75 %),
 * applied here to the whole analysed lung. A research summary, not a clinical score.
 */
export interface SeverityBand {
  score: 0 | 1 | 2 | 3 | 4 | 5;
  label: string;
}

export const severityBandDefinition =
  '0 none (0 %), 1 minimal (<5 %), 2 mild (5–25 %), 3 moderate (25–50 %), 4 severe (50–75 %), 5 critical (>75 %) of lung';

export function severityBand(percentOfLung: number): SeverityBand {
  if (percentOfLung <= 0) return { score: 0, label: 'none' };
  if (percentOfLung < 5) return { score: 1, label: 'minimal' };
  if (percentOfLung <= 25) return { score: 2, label: 'mild' };
  if (percentOfLung <= 50) return { score: 3, label: 'moderate' };
  if (percentOfLung <= 75) return { score: 4, label: 'severe' };
  return { score: 5, label: 'critical' };
}
