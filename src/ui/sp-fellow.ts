/**
 * <sp-fellow>: a fellow's attempt at a library case, step by step (segment the lesion, name the
 * zone, choose the approach and the needle, place it), then the score of each step with its
 * reason and what was risky. Until scored, the zones, landmark labels, the study criteria and the
 * planner's answer are hidden (AppState.teachingHidesAnswers); needles show no verdict.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as teaching from '../app/teaching';
import type { TeachingState } from '../app/teaching';
import * as planning from '../app/planning';
import { notify } from '../app/actions';
import { findTeachingCase, approachWords } from '../teaching/cases';
import { APPROACH_NAMES, type ApproachName } from '../planning/types';
import { NEEDLE_CATALOGUE, DEFAULT_NEEDLE_ID } from '../planning/needles';
import { panelStyles } from './styles';

export class SpFellow extends LitElement {
  static override properties = { state: { attribute: false }, t: { state: true }, needleId: { state: true }, scoring: { state: true } };
  state!: AppState;
  t: TeachingState = teaching.teaching.state;
  needleId = DEFAULT_NEEDLE_ID;
  scoring = false;
  private off: (() => void) | null = null;

  static override styles = [
    panelStyles,
    css`
      :host { font-size: 13px; }
      .step { border: 1px solid #232a33; border-radius: 5px; padding: 6px 8px; margin-bottom: 6px; background: #12161c; }
      .step b { color: #e8c66a; }
      .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-top: 4px; }
      select { background: #1a2029; color: #d8dee6; border: 1px solid #2c3540; border-radius: 4px; padding: 3px; font: inherit; max-width: 100%; }
      ul { margin: 4px 0 0; padding-left: 16px; }
      .total { font-size: 22px; font-weight: 800; color: #fff; }
      table { border-collapse: collapse; width: 100%; font-size: 12px; }
      td { padding: 3px 4px; border-top: 1px solid #232a33; vertical-align: top; }
      td.v { white-space: nowrap; font-weight: 700; }
      .right { color: #7fd08a; } .partly { color: #f0c36a; } .wrong, .missing { color: #ff8a7a; }
      .risks li { color: #ff8a7a; }
      .hint { color: #8a96a3; font-size: 12px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.off = teaching.teaching.subscribe((t) => (this.t = t));
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  private async doScore(): Promise<void> {
    this.scoring = true;
    try { await teaching.score(); } catch (err) { notify('error', `The attempt was not scored: ${(err as Error).message}`); } finally { this.scoring = false; }
  }

  private place(): void {
    const lesionId = this.state.activeLesionId ?? this.state.lesions[0]?.id ?? null;
    planning.startPlacingNeedle(this.needleId, lesionId);
  }

  override render() {
    const t = this.t, s = this.state;
    const c = t.caseId ? findTeachingCase(t.caseId) : null;
    if (!c) return html``;
    const a = t.answer;
    const scored = t.score;
    return html`<h3>Fellow attempt</h3>
      <div class="step"><b>${c.title.replace(/\s*\(.*\)$/, '')}</b>
        <div class="hint">Zones, landmark names and the planner's answer are hidden until you score.</div></div>
      <div class="step"><b>1 · Segment the lesion</b>
        <div class="hint">Grow (G) from a click in the lesion, or paint with the Brush (B).</div>
        <ul id="fellow-lesions">${s.lesions.length ? s.lesions.map((l) => html`<li>${l.name}: ${l.stats ? `${l.stats.shownVolumeMl.toFixed(2)} mL, ${l.stats.maxDiameterMm.toFixed(1)} mm` : '…'}</li>`) : html`<li class="muted">no lesion yet</li>`}</ul></div>
      <div class="step"><b>2 · Name the Denis zone</b>
        <div class="row" role="radiogroup" aria-label="Denis zone">${[1, 2, 3].map((z) => html`<label><input type="radio" name="zone" id="zone-${z}" .checked=${a.zone === z} ?disabled=${!!scored} @change=${() => teaching.setAnswer({ zone: z as 1 | 2 | 3 })} /> zone ${z}</label>`)}</div></div>
      <div class="step"><b>3 · Choose the approach</b>
        <div class="row"><select id="fellow-approach" ?disabled=${!!scored} @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; teaching.setAnswer(v === 'decline' ? { approach: null, declined: true } : { approach: (v || null) as ApproachName | null, declined: false }); }}>
          <option value="" ?selected=${!a.approach && !a.declined}>— choose —</option>
          ${APPROACH_NAMES.map((n) => html`<option value=${n} ?selected=${a.approach === n}>${approachWords(n)}</option>`)}
          <option value="decline" ?selected=${a.declined}>decline: outside the study's criteria</option>
        </select></div></div>
      <div class="step"><b>4 · Choose and place the needle</b>
        <div class="row"><select id="fellow-needle" ?disabled=${!!scored} @change=${(e: Event) => (this.needleId = (e.target as HTMLSelectElement).value)}>
          ${NEEDLE_CATALOGUE.map((n) => html`<option value=${n.id} ?selected=${n.id === this.needleId}>${n.name}</option>`)}
        </select>
        <button id="fellow-place" class=${s.placingNeedle ? 'on' : ''} ?disabled=${!!scored || a.declined} title="Click the skin entry, then the target, in any view" @click=${() => this.place()}>${s.placingNeedle ? (s.placingNeedle.entryLps ? 'Click the target…' : 'Click the skin entry…') : 'Place needle'}</button></div>
        <ul id="fellow-needles">${s.trajectories.map((n) => html`<li>${n.id}: ${n.needle.name}, ${n.metrics.depthMm.toFixed(0)} mm deep${n.cement ? `, cement ${n.cement.plannedMl.toFixed(1)} mL` : ''}${scored ? nothing : html`
          <button class="cement" title="Optional: plan the cement that reaches the study's 76-85 % filling at this tip" @click=${() => planning.aimCement(n.id).catch((e: Error) => notify('error', e.message))}>Cement</button>
          <button class="del" title="Remove" @click=${() => planning.deleteTrajectory(n.id)}>×</button>`}</li>`)}</ul>
        <div class="hint">Optional: Cement aims the deposit; an RF electrode from the needle list adds its burns. Both count in the needle's verdict.</div></div>
      ${scored ? this.renderScore() : html`<button id="fellow-score" ?disabled=${this.scoring} @click=${() => this.doScore()}>${this.scoring ? 'Scoring…' : 'Score my attempt'}</button>`}`;
  }

  private renderScore() {
    const sc = this.t.score!;
    const ex = this.t.expert;
    const label: Record<string, string> = { segmentation: 'Segmentation', zone: 'Zone', approach: 'Approach', needle: 'Needle' };
    return html`<div class="step" id="fellow-feedback">
      <div class="total" id="fellow-total">${sc.points} / ${sc.max} (${sc.percent} %)</div>
      <table>${sc.steps.map((x) => html`<tr data-step=${x.step}><td class="v ${x.verdict}">${label[x.step]} ${x.points}/${x.max}</td><td>${x.text}</td></tr>`)}</table>
      ${sc.risks.length ? html`<h3>What was risky</h3><ul class="risks" id="fellow-risks">${sc.risks.map((r) => html`<li>${r}</li>`)}</ul><div class="hint">The needle's colour on the images shows its verdict; zones and foramen names are shown again.</div>` : html`<div class="ok">No risky finding on your needle.</div>`}
      ${ex ? html`<h3>Expert plan</h3><ul>${ex.lesions.map((l) => html`<li>${l.name}: zone ${l.zone}; ${l.declined ? `declined: ${l.declined}` : l.best ? `${approachWords(l.best.approach)}, ${l.best.status.toUpperCase()}, smallest clearance ${l.best.minClearanceMm?.toFixed(1) ?? '–'} mm, ${l.best.depthMm.toFixed(0)} mm deep` : 'no path fits'}</li>`)}</ul>` : nothing}
      <div class="row"><button id="fellow-again" @click=${() => teaching.startAttempt(this.t.caseId!).catch(() => undefined)}>Try again</button>
      <button id="fellow-expert" @click=${() => teaching.openCase(this.t.caseId!, 'expert').catch(() => undefined)}>Open the expert plan</button></div>
    </div>`;
  }
}
customElements.define('sp-fellow', SpFellow);
