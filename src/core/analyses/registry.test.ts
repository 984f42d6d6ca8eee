import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSES, analysesFor, analysisById, modalityOf } from './registry.ts';

describe('analysis registry', () => {
  it('has unique ids, each the name of a folder holding the module and its panel view', () => {
    const ids = ANALYSES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(existsSync(path.join(__dirname, id, 'index.ts'))).toBe(true);
      expect(existsSync(path.join(__dirname, id, 'Results.svelte'))).toBe(true);
    }
  });

  it('picks analyses by what the image is', () => {
    expect(modalityOf({ kind: 'dicom', modality: 'CT' })).toBe('ct');
    expect(modalityOf({ kind: 'dicom', modality: 'DX' })).toBe('cxr');
    expect(modalityOf({ kind: 'dicom', modality: 'OT' })).toBeNull();
    expect(modalityOf({ kind: 'png', modality: '' })).toBeNull();
    expect(analysesFor({ kind: 'png', modality: '' }, 'cxr').map((m) => m.id)).toEqual(['cxr']);
    expect(analysisById('ct').modality).toBe('ct');
    expect(() => analysisById('nope')).toThrow(/Unknown analysis "nope" \(have: ct, cxr/);
  });
});
