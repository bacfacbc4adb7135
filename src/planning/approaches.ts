/**
 * The five sacral approach templates (pure). Each one turns two angles into a needle direction in
 * the local sacral frame at the target (ex: lateral, + patient left; es: caudal along the kyphotic
 * long axis; eq: dorsal) and states which paths belong to it. The patient is prone.
 *
 * Sources: DOMAIN.md §3 (approach table, from Tian et al., AJNR 2022;43:1222, and the sacroplasty
 * literature it cites); the long-axis technique (Smith & Dix, "Percutaneous sacroplasty: long-axis
 * injection technique", AJR 2006;186:1252) enters near the inferior SI joint / lateral to the S3
 * foramen and advances cranially along the ala toward mid-S1; the short-axis technique enters the
 * dorsal sacrum lateral to the dorsal foramina and medial to the SI joint, one needle per level
 * (Garant, "Sacroplasty", J Vasc Interv Radiol 2002;13:1265); transiliac access crosses the
 * posterior ilium and the SI joint into the ala or body; the interpedicular route goes from the posterior midline between the pedicles into the
 * sacral bodies below the end of the dural sac; the anterior-oblique route is a steep
 * postero-lateral oblique toward the anterior ala (the phantom's "aimed at the anterior half of the
 * S1 body" variant is covered by the same cone). Angle ranges are [design] choices, documented here.
 */
import type { Vec3 } from '../core/vec3';
import type { ApproachName, CortexCrossing } from './types';

export interface LocalAxes { ex: Vec3; es: Vec3; eq: Vec3 }

export interface ApproachTemplate {
  name: ApproachName;
  label: string;
  /** One line a fellow can read: where the needle goes in and which way it points. */
  description: string;
  /** Angle ranges (degrees) of the two template parameters. */
  aDeg: [number, number];
  bDeg: [number, number];
  /** Both sides are searched (midline approaches); otherwise the side of the target. */
  bothSides: boolean;
  /**
   * Unit direction from the target toward the entry for parameters (a, b) on side σ (+1 = left).
   */
  direction(axes: LocalAxes, sigma: number, aDeg: number, bDeg: number): Vec3;
  /**
   * Why a path does not belong to the template (null = it does). `boneEntry` is the first
   * crossing into the sacrum; positions are in the local frame (x lateral, s caudal, q dorsal).
   */
  violates(p: { boneEntry: CortexCrossing | null; boneEntryLocal: Vec3 | null; targetLocal: Vec3; siJointCrossed: boolean; medialForamenBorderMm: number | null }): string | null;
}

const RAD = Math.PI / 180;

function combine(axes: LocalAxes, cq: number, cx: number, cs: number): Vec3 {
  const v: Vec3 = [0, 0, 0];
  for (let i = 0; i < 3; i++) v[i] = axes.eq[i]! * cq + axes.ex[i]! * cx + axes.es[i]! * cs;
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

export const APPROACH_TEMPLATES: Record<ApproachName, ApproachTemplate> = {
  'posterior-short-axis': {
    name: 'posterior-short-axis', label: 'Posterior, short axis',
    description: 'dorsal sacrum lateral to the dorsal foramina and medial to the SI joint, roughly posterior → anterior, one needle per level',
    aDeg: [-20, 30], bDeg: [-40, 40], bothSides: false,
    // a: tilt of the entry lateral (+) of the target; b: entry caudal (+) or cranial (−).
    direction: (axes, sigma, a, b) => combine(axes, 1, sigma * Math.tan(a * RAD), Math.tan(b * RAD)),
    violates: ({ boneEntry, siJointCrossed }) => {
      if (siJointCrossed) return 'crosses the SI joint (that is the transiliac approach)';
      if (boneEntry && boneEntry.surface !== 'posterior') return `enters the sacrum through its ${boneEntry.surface} surface, not the dorsal one`;
      return null;
    },
  },
  'posterior-long-axis': {
    name: 'posterior-long-axis', label: 'Posterior, long axis',
    description: 'entry near the inferior SI joint, lateral to the S3 foramen, advanced cranially along the ala toward mid-S1',
    aDeg: [8, 45], bDeg: [-20, 25], bothSides: false,
    // a: elevation of the path above the long axis toward dorsal; b: entry lateral (+) tilt.
    direction: (axes, sigma, a, b) => combine(axes, Math.sin(a * RAD), sigma * Math.tan(b * RAD) * Math.cos(a * RAD), Math.cos(a * RAD)),
    violates: ({ boneEntry, boneEntryLocal, targetLocal, siJointCrossed }) => {
      if (siJointCrossed) return 'crosses the SI joint';
      if (!boneEntry || !boneEntryLocal) return 'does not enter the sacrum';
      if (boneEntryLocal[1] < targetLocal[1] + 15) return 'enters less than 15 mm caudal to the target: not a long-axis path';
      if (boneEntry.surface === 'anterior') return 'enters through the anterior surface';
      return null;
    },
  },
  transiliac: {
    name: 'transiliac', label: 'Transiliac',
    description: 'through the posterior ilium, across the SI joint into the ala or the S1/S2 body',
    aDeg: [-25, 25], bDeg: [-15, 40], bothSides: false,
    // a: entry caudal (+) / cranial (−) tilt; b: entry dorsal (+) tilt from pure lateral.
    direction: (axes, sigma, a, b) => combine(axes, Math.tan(b * RAD), sigma, Math.tan(a * RAD)),
    violates: ({ siJointCrossed }) => (siJointCrossed ? null : 'does not cross the SI joint'),
  },
  interpedicular: {
    name: 'interpedicular', label: 'Interpedicular',
    description: 'posterior, close to the midline between the pedicles (between the canal and the foramina), into the sacral bodies',
    aDeg: [-25, 25], bDeg: [-40, 40], bothSides: true,
    direction: (axes, sigma, a, b) => combine(axes, 1, sigma * Math.tan(a * RAD), Math.tan(b * RAD)),
    violates: ({ boneEntry, boneEntryLocal, siJointCrossed, medialForamenBorderMm }) => {
      if (siJointCrossed) return 'crosses the SI joint';
      if (!boneEntry || !boneEntryLocal) return 'does not enter the sacrum';
      if (boneEntry.surface === 'anterior') return 'enters through the anterior surface';
      const limit = medialForamenBorderMm ?? 20;
      if (Math.abs(boneEntryLocal[0]) > limit) return `enters the bone ${Math.abs(boneEntryLocal[0]).toFixed(0)} mm from the midline, lateral to the foramina`;
      return null;
    },
  },
  'anterior-oblique': {
    name: 'anterior-oblique', label: 'Anterior oblique',
    description: 'steep postero-lateral oblique path through the ala toward its anterior part (or the anterior S1 body)',
    aDeg: [25, 65], bDeg: [-30, 30], bothSides: false,
    // a: obliquity from dorsal toward lateral; b: entry caudal (+) / cranial (−).
    direction: (axes, sigma, a, b) => combine(axes, Math.cos(a * RAD), sigma * Math.sin(a * RAD), Math.tan(b * RAD)),
    violates: ({ boneEntry, siJointCrossed }) => {
      if (siJointCrossed) return 'crosses the SI joint (that is the transiliac approach)';
      if (!boneEntry) return 'does not enter the sacrum';
      if (boneEntry.surface === 'anterior') return 'enters through the anterior surface';
      return null;
    },
  },
};
