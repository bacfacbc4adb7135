/**
 * <sp-library>: the built-in teaching cases (title, Denis zone, the study's approach) with Open
 * (the expert plan), Fellow attempt (scored) and Present; the fellow's progress and its CSV export.
 */
import { LitElement, html, css, nothing } from 'lit';
import * as teaching from '../app/teaching';
import type { TeachingState } from '../app/teaching';
import { confirmLeavingCase } from '../app/autosave';
import { notify } from '../app/actions';
import { findTeachingCase, approachWords } from '../teaching/cases';
import { panelStyles } from './styles';

export class SpLibrary extends LitElement {
  static override properties = { t: { state: true }, open: { state: true }, caseTitle: { state: true } };
  /** Title typed for the open case before it is added to the user's library. */
  caseTitle = '';
  t: TeachingState = teaching.teaching.state;
  open = new URLSearchParams(location.search).get('library') === '1';
  private off: (() => void) | null = null;

  static override styles = [
    panelStyles,
    css`
      summary { cursor: pointer; }
      summary h3 { display: inline; }
      table { border-collapse: collapse; width: 100%; font-size: 12px; }
      th { text-align: left; color: #8a96a3; font-weight: 600; padding: 2px 4px; }
      td { padding: 3px 4px; border-top: 1px solid #1d242d; vertical-align: top; }
      tr.current td { background: #142030; }
      .title { font-weight: 600; }
      .acts { display: flex; gap: 3px; flex-wrap: nowrap; margin-top: 3px; }
      .meta { color: #9aa6b2; font-size: 11.5px; }
      .meta .zone { color: #e8c66a; font-weight: 700; }
      .best { color: #7fd08a; }
      .acts button { font-size: 11.5px; padding: 2px 6px; }
      .note { font-size: 12px; margin: 6px 0; border-left: 3px solid #e8c66a; padding-left: 6px; }
      .study { font-size: 11.5px; color: #9aa6b2; }
      .busy { color: #9ecbff; font-size: 12px; }
      .progress { font-size: 12px; margin-top: 6px; }
      .row { display: flex; gap: 4px; }
      input { flex: 1; min-width: 0; background: #0b0d10; color: #d8dee6; border: 1px solid #2c3540; border-radius: 4px; padding: 3px 5px; font: inherit; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.off = teaching.teaching.subscribe((t) => (this.t = t));
    void teaching.loadProgress();
    void teaching.listUserCases().catch(() => undefined);
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  private async go(what: string, run: () => Promise<void>): Promise<void> {
    if (!(await confirmLeavingCase(what))) return;
    try { await run(); } catch { /* openCase has said why */ }
  }

  private async addUserCase(): Promise<void> {
    try {
      await teaching.addOpenCaseToLibrary(this.caseTitle);
      this.caseTitle = '';
    } catch (err) {
      notify('error', `The case was not added: ${(err as Error).message}`);
    }
  }

  override render() {
    const t = this.t;
    const cur = t.caseId ? findTeachingCase(t.caseId) : null;
    const done = new Map<string, number>();
    for (const r of t.progress) done.set(r.caseId, Math.max(done.get(r.caseId) ?? 0, r.percent));
    return html`<details ?open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}>
      <summary><h3>Library (${teaching.listCases().length} cases)</h3></summary>
      ${t.busy ? html`<div class="busy" role="status">${t.busy}</div>` : nothing}
      <table id="library">
        ${teaching.listCases().map((c) => html`<tr class=${t.caseId === c.id ? 'current' : ''} data-case=${c.id}>
          <td><div class="title">${c.title}</div>
            <div class="meta">zone <span class="zone">${c.zone}</span> · <span class="approach">${approachWords(c.recommendedApproach as never)}</span>${done.has(c.id) ? html` · <span class="best">best ${done.get(c.id)} %</span>` : nothing}</div>
            <div class="acts">
              <button class="open-case" title="The case with its expert plan, teaching note and the study's numbers" ?disabled=${!!t.busy} @click=${() => this.go('Open the teaching case', () => teaching.openCase(c.id, 'expert'))}>Open</button>
              <button class="fellow-case" title="A scored attempt: the answers are hidden until you score" ?disabled=${!!t.busy} @click=${() => this.go('Start a fellow attempt', () => teaching.startAttempt(c.id))}>Fellow attempt</button>
              <button class="present-case" title="Presenter mode: large type, PageUp / PageDown" ?disabled=${!!t.busy} @click=${() => this.go('Present the case', () => teaching.present(c.id, 0))}>Present</button>
            </div></td>
        </tr>`)}
      </table>
      ${cur && t.mode === 'expert' ? html`<div class="note" id="case-note">${cur.note}</div><div class="study">${cur.studyNumbers}</div>` : nothing}
      <h3>My cases (this browser)</h3>
      <div class="row"><input id="user-case-title" placeholder="title, no patient names" .value=${this.caseTitle} @input=${(e: Event) => (this.caseTitle = (e.target as HTMLInputElement).value)} />
        <button id="add-user-case" title="Keep the open series and its plan here, without patient identifiers" @click=${() => this.addUserCase()}>Add the open case</button></div>
      ${t.userCases.length ? html`<table id="user-cases">${t.userCases.map((u) => html`<tr data-user-case=${u.id}><td><div class="title">${u.title}</div>
          <div class="muted">${u.lesions} lesion(s), ${u.needles} needle(s)${u.zone ? `, zone ${u.zone}` : ''}${u.approach ? `, ${approachWords(u.approach as never)}` : ''} · ${u.sizeMb} MB</div>
          <div class="acts"><button class="open-user-case" @click=${() => this.go('Open your case', () => teaching.openUserCase(u.id).catch((e: Error) => notify('error', `The case was not opened: ${e.message}`)))}>Open</button>
          <button class="delete-user-case" @click=${() => teaching.deleteUserCase(u.id)}>Delete</button></div></td></tr>`)}</table>` : html`<div class="muted">none yet</div>`}
      <div class="progress">
        ${t.progress.length} scored attempt${t.progress.length === 1 ? '' : 's'} in this browser
        <button id="export-progress" ?disabled=${!t.progress.length} @click=${() => teaching.downloadProgress().catch((e: Error) => notify('error', `The progress was not exported: ${e.message}`))}>Export CSV</button>
      </div>
    </details>`;
  }
}
customElements.define('sp-library', SpLibrary);
