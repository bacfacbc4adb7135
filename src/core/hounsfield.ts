/**
 * Whether a scan's voxel values are Hounsfield units. Hounsfield units exist only on CT with the rescale
 * applied (core/volume.ts keeps MR and other modalities in raw units): MR signal intensity has no
 * absolute scale, so its statistics read as signal in arbitrary units, never as HU.
 */
export interface ValueSource {
  modality: string;
  valueUnits: 'HU' | 'raw';
}

/** True when the values are Hounsfield units: a CT whose values were rescaled to HU. */
export function isHounsfield(src: ValueSource | null | undefined): boolean {
  return !!src && src.valueUnits === 'HU' && src.modality.trim().toUpperCase() !== 'MR';
}

