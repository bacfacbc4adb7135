/**
 * <sp-presenter>: presenter mode's caption bar (large type, high contrast): the case, the step
 * (anatomy → lesion → zone → approaches → needle advance → ablation → cement) with its caption,
 * the approaches side by side at their step, and a share link. PageDown / PageUp (a clicker sends
 * these), arrow keys, Home / End step; Esc leaves presenter mode.
 */
import { LitElement, html, css, nothing } from 'lit';
import * as teaching from '../app/teaching';
import type { TeachingState } from '../app/teaching';
import { notify } from '../app/actions';
import { findTeachingCase, approachWords } from '../teaching/cases';
import { PRESENTER_STEPS, nextStep } from '../teaching/presenter';

export class SpPresenter extends LitElement {
  static override properties = { t: { state: true } };
  t: TeachingState = teaching.teaching.state;
  private off: (() => void) | null = null;

  static override styles = css`
    :host { display: block; background: #000; color: #fff; font: 22px/1.3 system-ui, sans-serif; border-bottom: 3px solid #ffd400; padding: 10px 18px; }
    .top { display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
    .case { font-size: 30px; font-weight: 800; }
    .step { font-size: 30px; font-weight: 800; color: #ffd400; }
    .count { color: #bbb; }
    .caption { margin-top: 4px; font-size: 24px; }
    .note { margin-top: 4px; font-size: 20px; color: #9fe0ff; }
    .dots { display: flex; gap: 6px; margin-top: 6px; }
    .dots span { font-size: 16px; padding: 2px 8px; border: 2px solid #555; border-radius: 12px; color: #bbb; }
    .dots span.on { border-color: #ffd400; color: #000; background: #ffd400; font-weight: 700; }
    .tables { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
    table { border-collapse: collapse; margin-top: 6px; font-size: 20px; }
    /* a laptop screen keeps room for the images under two lesions' tables */
    @media (max-height: 900px) {
      :host { font-size: 18px; padding: 6px 14px; }
      .case, .step { font-size: 24px; }
      .caption { font-size: 19px; }
      table { font-size: 15px; }
      td, th { padding: 1px 8px; }
      td.why { font-size: 13px !important; }
    }
    td, th { padding: 2px 12px; border-bottom: 1px solid #333; text-align: left; }
    .pass { color: #5dff7a; } .warn { color: #ffd400; } .fail { color: #ff5a4a; }
    button { background: #111; color: #fff; border: 2px solid #888; border-radius: 6px; font: 18px system-ui; padding: 4px 12px; cursor: pointer; }
    button:hover { border-color: #ffd400; }
    .bar { margin-left: auto; display: flex; gap: 8px; align-items: center; }
    .url { font: 13px ui-monospace, monospace; color: #9fe0ff; word-break: break-all; margin-top: 4px; }
    .busy { color: #9fe0ff; font-size: 18px; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.off = teaching.teaching.subscribe((t) => (this.t = t));
    window.addEventListener('keydown', this.onKey, { capture: true });
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    window.removeEventListener('keydown', this.onKey, { capture: true });
  }

  private onKey = (e: KeyboardEvent): void => {
    if (this.t.mode !== 'presenter' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape') { e.preventDefault(); e.stopImmediatePropagation(); teaching.exitPresenter(); return; }
    const n = nextStep(this.t.presenterStep, e.key);
    if (!['PageDown', 'PageUp', 'ArrowRight', 'ArrowLeft', 'Home', 'End', ' '].includes(e.key)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (n !== this.t.presenterStep && !this.t.busy) void this.go(n);
  };

  private async go(step: number): Promise<void> {
    try { await teaching.setPresenterStep(step); } catch (err) { notify('error', `Presenter: ${(err as Error).message}`); }
  }

  private share(): void {
    try {
      const url = teaching.shareLink();
      void navigator.clipboard?.writeText(url).catch(() => undefined);
    } catch (err) {
      notify('error', `No share link: ${(err as Error).message}`);
    }
  }

  override render() {
    const t = this.t;
    const c = t.caseId ? findTeachingCase(t.caseId) : null;
    const step = PRESENTER_STEPS[t.presenterStep]!;
    const main = t.expert?.lesions[0];
    return html`<div class="top">
        <span class="case" id="presenter-case">${c?.title ?? ''}</span>
        <span class="step" id="presenter-step" data-step=${step.key}>${step.title}</span>
        <span class="count">${t.presenterStep + 1} / ${PRESENTER_STEPS.length}</span>
        ${t.busy ? html`<span class="busy" role="status">${t.busy}…</span>` : nothing}
        <span class="bar">
          <button id="presenter-prev" ?disabled=${t.presenterStep === 0 || !!t.busy} @click=${() => this.go(t.presenterStep - 1)}>◀ PgUp</button>
          <button id="presenter-next" ?disabled=${t.presenterStep === PRESENTER_STEPS.length - 1 || !!t.busy} @click=${() => this.go(t.presenterStep + 1)}>PgDn ▶</button>
          <button id="presenter-share" @click=${() => this.share()}>Share link</button>
          <button id="presenter-exit" @click=${() => teaching.exitPresenter()}>Exit (Esc)</button>
        </span>
      </div>
      <div class="caption" id="presenter-caption">${step.caption}${step.key === 'zone' && main ? html` This lesion: <b>zone ${main.zone}</b>.` : nothing}</div>
      ${t.presenterNote ? html`<div class="note" id="presenter-note">${t.presenterNote}</div>` : nothing}
      ${step.key === 'approaches' && main ? this.renderApproaches() : nothing}
      <div class="dots">${PRESENTER_STEPS.map((s, i) => html`<span class=${i === t.presenterStep ? 'on' : ''}>${s.title}</span>`)}</div>
      ${t.shareUrl ? html`<div class="url" id="presenter-url">${t.shareUrl}</div>` : nothing}`;
  }

  private renderApproaches() {
    const lesions = this.t.expert!.lesions;
    return html`<div class="tables">${lesions.map((l) => l.declined
      ? html`<div class="fail">${l.name}: declined: ${l.declined}</div>`
      : html`<table id="presenter-approaches"><tr><th>${l.name}</th><th>verdict</th><th>clearance</th><th>depth</th><th>why above the next</th></tr>
        ${l.ranked.map((r) => html`<tr><td>${approachWords(r.approach)}${r.studyChoice ? ' *' : ''}</td>
          <td class=${r.feasible ? r.status : 'fail'}>${r.feasible ? r.status.toUpperCase() : 'no path'}</td>
          <td>${r.minClearanceMm !== null ? `${r.minClearanceMm.toFixed(1)} mm` : '–'}</td><td>${r.depthMm !== null ? `${r.depthMm.toFixed(0)} mm` : '–'}</td>
          <td class="why" style="font-size:16px">${r.whyAbove ?? ''}</td></tr>`)}</table>`)}</div>
      <div style="font-size:16px;color:#bbb">* the study's choice for this zone</div>`;
  }
}
customElements.define('sp-presenter', SpPresenter);
