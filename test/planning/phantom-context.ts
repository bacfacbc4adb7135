/**
 * Planning context for a generated phantom (test-only): the app's own sacrum detection on the
 * image, the truth landmarks (as a radiologist would have confirmed them), the lesions as they
 * would have been segmented (here: their analytic shapes), and the body model. `detected` holds
 * the automatically found landmarks for the same image.
 */
import { loadPhantom } from '../anatomy/fixtures-anatomy';
import { anatomyFromTruth } from '../anatomy/truth-anatomy';
import { lesionContains } from '../segmentation/lesion-truth';
import { detectSacralAnatomy } from '../../src/anatomy/detect';
import { fitSacralFrame } from '../../src/anatomy/frame';
import type { SacralAnatomy } from '../../src/anatomy/types';
import { buildSacralEnvelope } from '../../src/planning/envelope';
import { BodyModel } from '../../src/planning/body';
import { DEFAULT_THRESHOLDS } from '../../src/planning/types';
import type { PlannerContext } from '../../src/planning/planner';
import type { Vec3 } from '../../src/core/vec3';

export async function phantomPlanningContext(config: 'default.json' | 'hard.json'): Promise<{ truth: any; ctx: PlannerContext; detected: SacralAnatomy }> {
  const p = await loadPhantom(config);
  const truth = p.truth;
  const det = detectSacralAnatomy(p.volume);
  const anatomy = anatomyFromTruth(truth);
  const geo = p.volume.geometry;
  const lesionMask = new Uint8Array(geo.voxelCount);
  const q: Vec3 = [0, 0, 0];
  for (let k = 0, n = 0; k < geo.dims[2]; k++) for (let j = 0; j < geo.dims[1]; j++) for (let i = 0; i < geo.dims[0]; i++, n++) {
    geo.ijkToLps(q, i, j, k);
    for (const l of truth.lesions) if (lesionContains(l, q)) { lesionMask[n] = 1; break; }
  }
  const ctx: PlannerContext = {
    anatomy, frame: fitSacralFrame(anatomy.frame!), envelope: buildSacralEnvelope(p.volume, det.sacrumMask, anatomy, { extraMask: lesionMask }),
    volume: p.volume, thresholds: DEFAULT_THRESHOLDS, body: new BodyModel(p.volume),
  };
  return { truth, ctx, detected: det.anatomy };
}
