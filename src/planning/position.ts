/**
 * The patient's position on the scanner (DICOM PatientPosition, 0018,5100) against the position of
 * the procedure (prone, DOMAIN.md §1). Pure.
 *
 * Diagnostic and planning CTs are mostly head first supine (HFS), sometimes feet first (DOMAIN.md
 * §8); sacroplasty is done prone. LPS coordinates are tied to the patient, not to the table, so
 * every distance and the C-arm angles (LAO/RAO toward the patient's left/right, cranial/caudal
 * toward the head/feet; planning/carm.ts) read the same whichever way the scan was taken. What a
 * supine scan cannot show is the prone patient: the skin entry, the soft tissue over the sacrum and
 * the pelvic tilt change when the patient turns over, so the screen says so.
 */

export type Posture = 'supine' | 'prone' | 'decubitus-left' | 'decubitus-right';

export interface ScanPosition {
  /** The DICOM code as read ('HFS', 'FFP', …), or null when the file does not say. */
  code: string | null;
  headFirst: boolean | null;
  posture: Posture | null;
  /** "head first, supine" / "position not recorded". */
  label: string;
  /** True when the scan was not taken prone (or the file does not say): the screen warns. */
  differsFromProcedure: boolean;
  /** One sentence for the screen. */
  note: string;
}

const POSTURE: Record<string, Posture> = { S: 'supine', P: 'prone', DL: 'decubitus-left', DR: 'decubitus-right' };
const POSTURE_WORD: Record<Posture, string> = { supine: 'supine', prone: 'prone', 'decubitus-left': 'left side down (decubitus)', 'decubitus-right': 'right side down (decubitus)' };

/** Reads a PatientPosition code (HFS, HFP, FFS, FFP, HFDL, HFDR, FFDL, FFDR; case and spaces ignored). */
export function scanPosition(code: string | null | undefined): ScanPosition {
  const c = (code ?? '').trim().toUpperCase();
  const m = /^(HF|FF)(S|P|DL|DR)$/.exec(c);
  if (!m) {
    return {
      code: c || null, headFirst: null, posture: null,
      label: c ? `unknown position code "${c}"` : 'position not recorded',
      differsFromProcedure: true,
      note: 'The scan does not say how the patient lay; the procedure is prone. C-arm angles are given for the patient prone.',
    };
  }
  const headFirst = m[1] === 'HF';
  const posture = POSTURE[m[2]!]!;
  const label = `${headFirst ? 'head first' : 'feet first'}, ${POSTURE_WORD[posture]}`;
  const differs = posture !== 'prone';
  const note = differs
    ? `Scanned ${label}; the procedure is prone. C-arm angles are given for the patient prone; the skin entry and soft tissue may shift when the patient turns over.`
    : `Scanned ${label}, as in the procedure.${headFirst ? '' : ' (Feet first: patient left and right are as labelled on the views.)'}`;
  return { code: c, headFirst, posture, label, differsFromProcedure: differs, note };
}
