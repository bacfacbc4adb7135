/// <reference lib="webworker" />
/**
 * Builds a library case off the main thread: its phantom and its expert plan (teaching/expert.ts),
 * and transfers the voxels, the expert and start plan files and the expert's summary back.
 */
import { findTeachingCase } from '../teaching/cases';
import { buildExpertCase } from '../teaching/expert';
import type { ExpertSummary } from '../teaching/score';

self.onmessage = (e: MessageEvent<{ caseId: string }>) => {
  try {
    const c = findTeachingCase(e.data.caseId);
    if (!c) throw new Error(`no built-in case "${e.data.caseId}"`);
    const x = buildExpertCase(c);
    const voxels = x.demo.volume.voxels as Int16Array;
    const summary: ExpertSummary = {
      caseId: c.id,
      lesions: x.lesions.map((l) => ({ id: l.id, name: l.name, zone: l.zone, zoneExplanation: l.zoneExplanation, volumeMl: l.volumeMl, maxDiameterMm: l.maxDiameterMm, centroidLps: l.centroidLps, declined: l.declined, ranked: l.ranked, best: l.best ? { approach: l.best.approach, status: l.best.status, minClearanceMm: l.best.minClearanceMm, depthMm: l.best.depthMm } : null })),
    };
    (self as unknown as Worker).postMessage(
      {
        geometry: x.demo.volume.geometry.toJSON(),
        voxels: voxels.buffer,
        truth: JSON.parse(JSON.stringify(x.demo.truth)),
        planBytes: x.planBytes,
        startBytes: x.startBytes,
        summary: JSON.parse(JSON.stringify(summary)),
        ms: x.ms,
      },
      [voxels.buffer as ArrayBuffer, x.planBytes.buffer as ArrayBuffer, x.startBytes.buffer as ArrayBuffer],
    );
  } catch (err) {
    (self as unknown as Worker).postMessage({ error: (err as Error).message });
  }
};
