/**
 * The requests the main thread sends to the case (in the case worker or inline): commands, undo,
 * redo, the end of a gesture, a refresh of deferred statistics, plan files
 * (written and read here, off the main thread), and planning queries that change nothing. Pure.
 */
import type { CaseEngine, CaseReply } from './engine';
import type { CaseCommand } from './commands';
import type { SeriesIdentity } from './types';
import type { PlanCommand, PlanReply } from '../planning/engine';
import { readPlan, writePlan, type PlanMeta } from './plan-file';

export type CaseRequest =
  | { type: 'command'; cmd: CaseCommand; defer?: boolean }
  | { type: 'undo'; defer?: boolean }
  | { type: 'redo'; defer?: boolean }
  | { type: 'endGesture' }
  | { type: 'refresh' }
  | { type: 'query'; cmd: PlanCommand }
  /** The case as .sacroplan bytes. */
  | { type: 'exportPlan'; meta: PlanMeta }
  /** Replace the case by a plan file's, after checking all of it (an error changes nothing). */
  | { type: 'openPlan'; bytes: Uint8Array; identity: SeriesIdentity; defer?: boolean }
  /** A copy of the detected sacrum bone mask (0/1 per voxel), or null before detection. */
  | { type: 'sacrumMask' };

/** What each request answers. */
export type CaseAnswer<R extends CaseRequest = CaseRequest> = R extends { type: 'query' } ? PlanReply : R extends { type: 'exportPlan' } ? Uint8Array : R extends { type: 'sacrumMask' } ? Uint8Array | null : CaseReply;

export function answerRequest<R extends CaseRequest>(engine: CaseEngine, r: R): CaseAnswer<R> {
  return answer(engine, r) as CaseAnswer<R>;
}

function answer(engine: CaseEngine, req: CaseRequest): CaseReply | PlanReply | Uint8Array | null {
  switch (req.type) {
    case 'command': return engine.run(req.cmd, { defer: req.defer ?? false });
    case 'undo': return engine.undo({ defer: req.defer ?? false });
    case 'redo': return engine.redo({ defer: req.defer ?? false });
    case 'endGesture': return engine.endGesture();
    case 'refresh': return engine.refresh();
    case 'query': return engine.plan(req.cmd);
    case 'sacrumMask': return engine.currentSacrumMask ? engine.currentSacrumMask.slice() : null;
    case 'exportPlan': return writePlan(engine.doc, engine.labels.data, req.meta, engine.currentSacrumMask);
    case 'openPlan': {
      // everything is checked before the label map is written (readPlan decodes into it last)
      const plan = readPlan(req.bytes, req.identity, engine.labels.data.length, engine.labels.data);
      return engine.load(plan.doc, plan.labels, plan.sacrumMask, { defer: req.defer ?? false });
    }
  }
}
