/**
 * The built-in teaching library (pure): ten synthetic cases made by the demo phantom's own code
 * (src/demo), each a variant of its anatomy and lesions, with what a fellow should learn from it.
 *
 * A case states the Denis zone of each lesion and the approach the source study's rule gives
 * (Tian et al., AJNR 2022;43:1222; ../shared/DOMAIN.md §1-§3). Nothing here is a plan: the expert
 * plan is computed by the planner (teaching/expert.ts), and test/teaching/library.test.ts checks
 * that the classifier finds the stated zone and the planner's best approach is the stated one.
 *
 * Lesions are placed in the demo's sacral frame (x lateral, + left; s arc length from the S1
 * endplate, + caudal; q + dorsal, mm): S1 spans s 0-26, S2 26-50; the S1 foramen axis is at
 * s 20, |x| 28 (radius 4.5), the S2 foramen at s 44, |x| 25 (radius 3.8) (src/demo/anatomy.ts).
 */
import type { DemoVariant, LesionDef } from '../demo/phantom';
import type { ApproachName } from '../planning/types';
import { HU, DEFAULT_ILIUM } from '../demo/anatomy';

export type TeachingZone = 1 | 2 | 3;

export interface TeachingLesion extends LesionDef {
  /** The Denis zone a reader should name (most medial zone involved). */
  zone: TeachingZone;
  /** Null when the lesion is within the study's criteria; else the criterion it fails. */
  declined: null | 'diameter' | 'foramen' | 'canal';
  /** The approach the expert (the planner, ranked with the study's rule as tie-break) should choose. */
  approach: ApproachName | null;
}

export interface TeachingCase {
  id: string;
  title: string;
  /** The case's main zone (the most medial of its lesions), for the library list. */
  zone: TeachingZone;
  /** The study's approach for it, for the list ('declined' when outside the criteria). */
  recommendedApproach: ApproachName | 'declined';
  lesions: TeachingLesion[];
  marrowHuOffset?: number;
  ilium?: DemoVariant['ilium'];
  /** What to learn, in two or three sentences. */
  note: string;
  /** The source study's numbers that apply (DOMAIN.md §1). */
  studyNumbers: string;
}

const APPROACH_WORDS: Record<ApproachName, string> = {
  'posterior-short-axis': 'posterior short-axis', 'posterior-long-axis': 'posterior long-axis', transiliac: 'transiliac', interpedicular: 'interpedicular', 'anterior-oblique': 'anterior-oblique',
};
export const approachWords = (a: ApproachName | 'declined' | null): string => (a === null ? '—' : a === 'declined' ? 'declined (outside the study criteria)' : APPROACH_WORDS[a]);

const STUDY_ZONES = 'Tian 2022: 162 lesions, 95 zone 1, 30 zone 2, 37 zone 3; neurologic risk ~6 % (zone 1), 28 % (2), 57 % (3) (Denis 1988).';
const STUDY_APPROACHES = 'Approaches used: posterior 60, transiliac 16, anterior-oblique 32, interpedicular 39 patients.';
const STUDY_CEMENT = 'Cement 3-8 mL per lesion (mean 6.42 mL PSP+RFA, 5.31 mL PSP); filling 84.8 % vs 76.2 %; leakage 17-19 %.';

const lesion = (l: Omit<TeachingLesion, 'rotationDeg' | 'declined'> & { rotationDeg?: number; declined?: TeachingLesion['declined'] }): TeachingLesion =>
  ({ rotationDeg: 0, declined: null, ...l });

export const TEACHING_CASES: readonly TeachingCase[] = [
  {
    id: 'ala-zone1', title: 'Left sacral ala (zone 1)', zone: 1, recommendedApproach: 'posterior-short-axis',
    lesions: [lesion({ id: 'L1', name: 'left ala', centerSacral: [40, 12, 8], semi: [5, 8, 7], zone: 1, approach: 'posterior-short-axis', description: 'Lytic lesion in the left ala at S1, lateral to the S1 foramen.' })],
    note: 'Lateral to the foramina is zone 1, the ala. The study reached the ala by an anterior-oblique, transiliac or posterior path; the shortest safe path that keeps clear of the S1 foramen wins. The L5 root runs in front of the ala: keep the tip behind the anterior cortex.',
    studyNumbers: `${STUDY_ZONES} ${STUDY_APPROACHES}`,
  },
  {
    id: 'foraminal-zone2', title: 'Between the left S1 and S2 foramina (zone 2)', zone: 2, recommendedApproach: 'posterior-short-axis',
    lesions: [lesion({ id: 'L1', name: 'left foraminal column', centerSacral: [26.5, 32, 6], semi: [3.5, 4, 5], zone: 2, approach: 'posterior-short-axis', description: 'Small lytic lesion in the column of the left foramina, between S1 and S2, not eroding either.' })],
    note: 'A lesion between the medial and lateral borders of the foramina is zone 2 even when it touches no foramen. The study treated "other parts" of the sacrum from behind; here every path runs within millimetres of a root, so the clearance to the S1 and S2 foramina decides.',
    studyNumbers: `${STUDY_ZONES} Lesion volume in the study: mean 6.7-7.2 mL; this one is small.`,
  },
  {
    id: 'body-zone3', title: 'S1 vertebral body (zone 3)', zone: 3, recommendedApproach: 'interpedicular',
    lesions: [lesion({ id: 'L1', name: 'S1 body', centerSacral: [15, 14, -1], semi: [6, 6.5, 7], zone: 3, approach: 'interpedicular', description: 'Lytic lesion in the left half of the S1 vertebral body.' })],
    note: 'Medial to the foramina is zone 3, the sacral body and canal, where the neurologic risk is highest. The study used the interpedicular route for the bodies: posterior, near the midline, between the canal and the foramina.',
    studyNumbers: `${STUDY_ZONES} Interpedicular: 39 patients.`,
  },
  {
    id: 'multilevel-body', title: 'S1 and S2 bodies (multi-level, zone 3)', zone: 3, recommendedApproach: 'interpedicular',
    lesions: [
      lesion({ id: 'L1', name: 'S1 body', centerSacral: [15, 12, -2], semi: [6, 6, 6], zone: 3, approach: 'interpedicular', description: 'Lytic lesion in the S1 body.' }),
      lesion({ id: 'L2', name: 'S2 body', centerSacral: [13.5, 38, -1], semi: [5.5, 6, 5], zone: 3, approach: 'interpedicular', description: 'Lytic lesion in the S2 body.' }),
    ],
    note: 'Disease in several sacral bodies: one interpedicular needle per level, each between the canal and the foramina. The study used 1-3 needles per lesion (mean 1.38).',
    studyNumbers: `Needles per lesion 1-3 (mean 1.38). ${STUDY_CEMENT}`,
  },
  {
    id: 'high-crest', title: 'High, prominent posterior ilium (left ala)', zone: 1, recommendedApproach: 'transiliac',
    lesions: [lesion({ id: 'L1', name: 'lateral left ala', centerSacral: [44, 8, 2], semi: [5, 6, 6], zone: 1, approach: 'transiliac', description: 'Lytic lesion in the lateral left ala next to the SI joint.' })],
    ilium: { blockCentreLps: [56, 22, 2], blockSemiMm: [26, 30, 52] },
    note: 'When the posterior ilium rises high and overhangs the ala, posterior and oblique paths to the lateral ala must pass the ilium and the SI joint anyway. Then the transiliac route, through the ilium and across the joint, is the direct one, as the study used it for 16 patients.',
    studyNumbers: `${STUDY_APPROACHES}`,
  },
  {
    id: 'anterior-cortex', title: 'Ala lesion against the anterior cortex', zone: 1, recommendedApproach: 'posterior-short-axis',
    lesions: [lesion({ id: 'L1', name: 'anterior left ala', centerSacral: [39, 14, -5], semi: [5, 6, 4.5], zone: 1, approach: 'posterior-short-axis', description: 'Lytic lesion in the anterior left ala, its front on the anterior cortex.' })],
    note: 'A lesion that abuts the anterior cortex invites a tip too far forward: beyond that cortex lie the L5 root, the iliac vessels and bowel. Keep the tip at least 5 mm behind it (the long-axis technique aims 11-13 mm behind); cement stops at the cortex.',
    studyNumbers: `Cement leakage 17 % (PSP+RFA) and 19 % (PSP); one leak needed surgery. ${STUDY_CEMENT}`,
  },
  {
    id: 'fatty-marrow', title: 'Osteoporotic, fatty marrow (left ala)', zone: 1, recommendedApproach: 'posterior-short-axis',
    lesions: [lesion({ id: 'L1', name: 'left ala', centerSacral: [38, 16, 8], semi: [5, 7, 6], hu: 45, zone: 1, approach: 'posterior-short-axis', description: 'Lytic lesion in the left ala of a fatty, osteoporotic sacrum.' })],
    marrowHuOffset: -190,
    note: 'In older patients the sacral marrow is fatty: cancellous bone reads 0-150 HU, close to a lytic lesion (30-60 HU). The lesion is then barely brighter or darker than its surroundings; segment it by its edge and by the trabecular loss, and check the volume against the other views.',
    studyNumbers: 'DOMAIN.md §8: fatty marrow 0-150 HU; lytic metastasis 30-60 HU. Study lesion volume: mean 6.7-7.2 mL.',
  },
  {
    id: 'sclerotic', title: 'Sclerotic metastasis (right ala)', zone: 1, recommendedApproach: 'posterior-short-axis',
    lesions: [lesion({ id: 'L1', name: 'right ala, sclerotic', centerSacral: [-40, 14, 8], semi: [5, 7, 6], hu: 650, zone: 1, approach: 'posterior-short-axis', description: 'Sclerotic (osteoblastic) metastasis in the right ala, ~650 HU.' })],
    note: 'A sclerotic metastasis is brighter than the marrow (~650 ± 180 HU): grow it above the bone, not below. The needle meets hard bone; the planning rules are the same, and the cement takes less room.',
    studyNumbers: 'DOMAIN.md §6: sclerotic metastasis ~650 ± 180 HU; lytic 30-60 HU.',
  },
  {
    id: 'declined-large', title: 'Large lesion eroding the left S1 foramen (declined)', zone: 2, recommendedApproach: 'declined',
    lesions: [lesion({ id: 'L1', name: 'left S1-S2 lateral mass', centerSacral: [36, 22, 6], semi: [9, 17, 9], zone: 2, declined: 'diameter', approach: null, description: 'A 34 mm lytic lesion over the left S1 and S2 lateral mass, into the S1 foramen.' })],
    note: 'The study included lesions up to 3 cm and excluded erosion of the neuroforamina and epidural tumour. This lesion is 34 mm and reaches into the S1 foramen: outside the evidence of the study, so the planner declines it.',
    studyNumbers: 'Inclusion: lesion ≤ 3 cm, life expectancy ≥ 3 months; exclusion: erosion of the neuroforamina or epidural tumour (Tian 2022).',
  },
  {
    id: 'bilateral', title: 'Both alae (bilateral, two needles)', zone: 1, recommendedApproach: 'posterior-short-axis',
    lesions: [
      lesion({ id: 'L1', name: 'left ala', centerSacral: [40, 12, 8], semi: [5, 7, 6], zone: 1, approach: 'posterior-short-axis', description: 'Lytic lesion in the left ala.' }),
      lesion({ id: 'L2', name: 'right ala', centerSacral: [-40, 12, 8], semi: [5, 7, 6], zone: 1, approach: 'posterior-short-axis', description: 'Lytic lesion in the right ala.' }),
    ],
    note: 'Disease in both alae needs one needle each side; each is planned on its own side and checked against its own foramina.',
    studyNumbers: `Needles per lesion 1-3 (mean 1.38). ${STUDY_APPROACHES}`,
  },
];

export function findTeachingCase(id: string): TeachingCase | null {
  return TEACHING_CASES.find((c) => c.id === id) ?? null;
}

/** The phantom variant of a case. */
export function caseVariant(c: TeachingCase): DemoVariant {
  return { id: `case-${c.id}`, lesions: c.lesions, marrowHuOffset: c.marrowHuOffset ?? 0, ilium: c.ilium ?? DEFAULT_ILIUM };
}

/** The lesion HU a case uses (for the UI's hints). */
export const lesionHu = (l: TeachingLesion): number => l.hu ?? HU.lesion;
