/**
 * The requests the main thread sends to the case (in the case worker or inline): commands, undo,
 * redo, the end of a gesture, a refresh of deferred statistics, a whole-case load, and planning
 * queries that change nothing. Pure.
 */
import type { CaseEngine, CaseReply } from './engine';
import type { CaseCommand } from './commands';
import type { CaseDoc } from './types';
import type { PlanCommand, PlanReply } from '../planning/engine';

export type CaseRequest =
  | { type: 'command'; cmd: CaseCommand; defer?: boolean }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'endGesture' }
  | { type: 'refresh' }
  | { type: 'load'; doc: CaseDoc; labels: Uint8Array }
  | { type: 'query'; cmd: PlanCommand };

export type CaseAnswer = CaseReply | PlanReply;

export function answerRequest(engine: CaseEngine, req: CaseRequest): CaseAnswer {
  switch (req.type) {
    case 'command': return engine.run(req.cmd, { defer: req.defer ?? false });
    case 'undo': return engine.undo();
    case 'redo': return engine.redo();
    case 'endGesture': return engine.endGesture();
    case 'refresh': return engine.refresh();
    case 'load': return engine.load(req.doc, req.labels);
    case 'query': return engine.plan(req.cmd);
  }
}
