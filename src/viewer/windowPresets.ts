/** Window presets in modality units (HU for CT). `null` means "the file's own default". */
export interface WindowPreset {
  id: string;
  label: string;
  center: number | null;
  width: number | null;
}

export const windowPresets: readonly WindowPreset[] = [
  { id: 'default', label: 'Default (from file)', center: null, width: null },
  { id: 'lung', label: 'Lung', center: -600, width: 1500 },
  { id: 'mediastinum', label: 'Mediastinum', center: 40, width: 400 },
  { id: 'bone', label: 'Bone', center: 480, width: 2500 },
];
