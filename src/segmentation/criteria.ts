/**
 * The source study's selection criteria, per lesion, in words a radiologist reads at a glance
 * (Tian et al., AJNR 2022;43(8):1222-1227; ../shared/DOMAIN.md §1):
 *  - inclusion: maximal lesion diameter ≤ 3 cm;
 *  - exclusion: erosion of a neuroforamen (the lesion reaches into a foramen's lumen);
 *  - exclusion: epidural tumour (the lesion reaches into the canal).
 *
 * "Reaches into" means lesion voxel centres at least `intoLumenMm` (1 mm) inside the lumen: a mask
 * whose surface only touches a foramen's or the canal's wall puts its outer voxel centres at most
 * about half a voxel inside, which is segmentation, not erosion. Pure.
 */
import type { LabelMap } from './labelmap';

/** The study's limits. */
export const STUDY_CRITERIA = {
  /** Inclusion: maximal diameter ≤ 30 mm. */
  maxDiameterMm: 30,
  /** Depth inside a lumen counted as reaching into it. */
  intoLumenMm: 1,
};

export type CriterionStatus = 'meets' | 'fails' | 'unknown';

export interface Criterion {
  key: 'diameter' | 'foramen' | 'canal';
  status: CriterionStatus;
  /** One line, plain words: what was measured and what it means for the criterion. */
  text: string;
}

export interface CriteriaInput {
  maxDiameterMm: number;
  /** Foramina whose lumen holds lesion voxel centres and how deep (null: no foramen landmarks). */
  foraminaEntered: { id: string; depthMm: number }[] | null;
  /** Deepest lesion voxel centre inside the canal, mm (0: none; null: no canal landmark). */
  canalDepthMm: number | null;
  /** Surface distance to the nearest foramen / the canal, mm, for the words (optional). */
  nearestForamen?: { id: string; distanceMm: number } | null;
  canalDistanceMm?: number | null;
}

export interface CriteriaResult {
  items: Criterion[];
  /** 'meets' when all three are met, 'fails' when any fails, else 'unknown'. */
  verdict: CriterionStatus;
  /** One line for the lesion's header. */
  summary: string;
}

const foramenName = (id: string) => id.replace('_', ' ').replace(/ L$/, ' left').replace(/ R$/, ' right');

/** Evaluates the three criteria for one lesion. */
export function studyCriteria(x: CriteriaInput): CriteriaResult {
  const lim = STUDY_CRITERIA;
  const items: Criterion[] = [];
  const d = x.maxDiameterMm;
  items.push(d > lim.maxDiameterMm
    ? { key: 'diameter', status: 'fails', text: `largest diameter ${d.toFixed(1)} mm: over the study's 30 mm limit` }
    : { key: 'diameter', status: 'meets', text: `largest diameter ${d.toFixed(1)} mm: within the study's 30 mm limit` });

  if (x.foraminaEntered === null) items.push({ key: 'foramen', status: 'unknown', text: 'neuroforamina: not checked (no foramen landmarks; run Find landmarks)' });
  else {
    const into = x.foraminaEntered.filter((f) => f.depthMm >= lim.intoLumenMm).sort((a, b) => b.depthMm - a.depthMm);
    if (into.length) items.push({ key: 'foramen', status: 'fails', text: `erodes the ${into.map((f) => `${foramenName(f.id)} foramen (${f.depthMm.toFixed(1)} mm into it)`).join(', ')}: the study excluded such lesions` });
    else {
      const nf = x.nearestForamen;
      items.push({ key: 'foramen', status: 'meets', text: `no foramen eroded${nf ? ` (nearest: ${foramenName(nf.id)}, ${nf.distanceMm.toFixed(1)} mm away)` : ''}` });
    }
  }

  if (x.canalDepthMm === null) items.push({ key: 'canal', status: 'unknown', text: 'canal: not checked (no canal landmark; run Find landmarks)' });
  else if (x.canalDepthMm >= lim.intoLumenMm) items.push({ key: 'canal', status: 'fails', text: `reaches ${x.canalDepthMm.toFixed(1)} mm into the canal (epidural extension): the study excluded such lesions` });
  else items.push({ key: 'canal', status: 'meets', text: `no epidural extension${x.canalDistanceMm != null ? ` (canal ${x.canalDistanceMm.toFixed(1)} mm away)` : ''}` });

  const verdict: CriterionStatus = items.some((i) => i.status === 'fails') ? 'fails' : items.some((i) => i.status === 'unknown') ? 'unknown' : 'meets';
  const failed = items.filter((i) => i.status === 'fails').map((i) => (i.key === 'diameter' ? 'over 30 mm' : i.key === 'foramen' ? 'foramen eroded' : 'epidural extension'));
  const summary = verdict === 'meets' ? 'Meets the study criteria'
    : verdict === 'fails' ? `Outside the study criteria: ${failed.join(', ')}`
    : 'Study criteria: size met; foramina and canal not checked (no landmarks)';
  return { items, verdict, summary: verdict === 'unknown' && items[0]!.status === 'fails' ? 'Outside the study criteria: over 30 mm' : summary };
}

/**
 * How much of a lesion lies outside a bone mask (e.g. the detected sacrum, whose enclosed marrow
 * and lytic lesions it includes): its voxels with no 6-neighbour in the mask, i.e. at least one
 * voxel beyond the bone surface (a lesion ending on the cortex is not counted for the
 * partial-volume voxel at its edge). Includes extension into a foramen or the canal, which are
 * outside the bone too.
 */
export function lesionOutsideMask(labels: LabelMap, label: number, mask: Uint8Array): { voxels: number; volumeMl: number; fraction: number } {
  const [ni, nj, nk] = labels.geometry.dims;
  const nij = ni * nj;
  const offs = labels.offsetsOf(label);
  let out = 0;
  for (let a = 0; a < offs.length; a++) {
    const o = offs[a]!;
    if (mask[o]) continue;
    const k = (o / nij) | 0, r = o - k * nij, j = (r / ni) | 0, i = r - j * ni;
    const near = (i > 0 && mask[o - 1]) || (i < ni - 1 && mask[o + 1]) || (j > 0 && mask[o - ni]) || (j < nj - 1 && mask[o + ni]) || (k > 0 && mask[o - nij]) || (k < nk - 1 && mask[o + nij]);
    if (!near) out++;
  }
  return { voxels: out, volumeMl: (out * labels.geometry.voxelVolumeMm3) / 1000, fraction: offs.length ? out / offs.length : 0 };
}
