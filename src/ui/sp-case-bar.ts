/**
 * <sp-case-bar>: the toolbar group of the open case: undo and redo of any edit (the tooltip names
 * it), save the plan (Ctrl+S), open a plan, export and import the lesions as DICOM SEG, open the
 * printable report, the autosave state, the saved cases (restore, delete); the offer to restore an autosave of the shown
 * series; the question asked before unsaved changes are left.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as actions from '../app/actions';
import * as plan from '../app/plan';
import * as autosave from '../app/autosave';
import * as caseActions from '../app/case';
import * as seg from '../app/seg';
import './sp-report';
import { panelStyles } from './styles';

const time = (iso: string) => new Date(iso).toLocaleString();

export class SpCaseBar extends LitElement {
  static override properties = { state: { attribute: false }, list: { state: true } };
  state!: AppState;
  /** The saved cases shown in the drop-down (null: closed). */
  list: autosave.SavedCaseInfo[] | null = null;

  static override styles = [
    panelStyles,
    css`
      :host { display: flex; gap: 4px; align-items: center; position: relative; }
      input[type='file'] { display: none; }
      .autosave { font-size: 11px; color: #8a96a3; min-width: 96px; }
      .autosave.failed, .autosave.unavailable { color: #ff8a80; font-weight: 600; }
      .saved-cases { position: absolute; top: 30px; left: 0; z-index: 30; background: #12161c; border: 1px solid #2c3540; border-radius: 6px; padding: 8px; min-width: 420px; max-height: 360px; overflow: auto; box-shadow: 0 6px 18px #000a; }
      .saved-cases table { width: 100%; border-collapse: collapse; font-size: 12px; }
      .saved-cases td { padding: 3px 4px; border-top: 1px solid #1d242d; }
      .seg-extra { display: flex; gap: 6px; align-items: center; font-size: 12px; padding: 2px 9px 2px 18px; white-space: nowrap; cursor: pointer; }
      .offer, .question { position: fixed; left: 50%; top: 56px; transform: translateX(-50%); z-index: 40; background: #142030; border: 1px solid #3f6a94; border-radius: 6px; padding: 10px 14px; max-width: 560px; box-shadow: 0 6px 18px #000a; }
      .question { border-color: #c49a3a; background: #221d12; top: 96px; }
      .offer .actions, .question .actions { display: flex; gap: 6px; margin-top: 8px; justify-content: flex-end; }
    `,
  ];

  private onPlanInput(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    void autosave.confirmLeavingCase('Open the plan').then((ok) => (ok ? plan.openPlan(file) : undefined)).catch((err: Error) => actions.notify('error', err.message));
  }

  private onSegInput(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void seg.importSegFile(file);
  }

  private async toggleList(): Promise<void> {
    if (this.list) { this.list = null; return; }
    try {
      this.list = await autosave.savedCases();
    } catch (err) {
      actions.notify('error', `Saved cases cannot be listed: ${(err as Error).message}`);
    }
  }

  private async removeCase(key: string): Promise<void> {
    await autosave.deleteSavedCase(key).catch((err: Error) => actions.notify('error', `Not deleted: ${err.message}`));
    this.list = await autosave.savedCases().catch(() => []);
  }

  private restore(key: string): void {
    this.list = null;
    void autosave.confirmLeavingCase('Restore the saved case').then((ok) => (ok ? autosave.restoreSavedCase(key) : undefined)).catch((err: Error) => actions.notify('error', `Not restored: ${err.message}`));
  }

  private renderAutosave() {
    const a = this.state.autosave;
    const text = a.state === 'failed' ? 'Autosave failed' : a.state === 'unavailable' ? 'No autosave' : a.state === 'pending' ? 'Autosaving…' : a.savedAt ? `Autosaved ${new Date(a.savedAt).toLocaleTimeString()}` : '';
    return html`<span class="autosave ${a.state}" role="status" title=${a.error ?? 'Every edit is stored in this browser within a second (label maps compressed, never the images).'}>${text}</span>`;
  }

  override render() {
    const s = this.state;
    const loaded = !!s.loaded;
    return html`
      <button id="case-undo" aria-label="Undo" ?disabled=${!s.seg.canUndo} title=${s.seg.undoName ? `Undo ${s.seg.undoName} (Ctrl+Z)` : 'Nothing to undo'} @click=${() => caseActions.undo()}>↶</button>
      <button id="case-redo" aria-label="Redo" ?disabled=${!s.seg.canRedo} title=${s.seg.redoName ? `Redo ${s.seg.redoName} (Ctrl+Y)` : 'Nothing to redo'} @click=${() => caseActions.redo()}>↷</button>
      <button id="save-plan" ?disabled=${!loaded} title="Save the case as a .sacroplan file (Ctrl+S)" @click=${() => plan.downloadPlan().catch((err: Error) => actions.notify('error', `The plan was not saved: ${err.message}`))}>Save plan</button>
      <!-- the rest of the case's files in one menu, so that the toolbar stays one row at 1366 px -->
      <details class="menu" id="case-menu" @click=${(e: Event) => { if ((e.target as HTMLElement).closest('.menu-list button')) (e.currentTarget as HTMLDetailsElement).open = false; }}>
      <summary title="Open plan, DICOM SEG, report, saved cases">Case</summary>
      <div class="menu-list">
      <button id="open-plan" ?disabled=${!loaded} title="Open a .sacroplan file made on this series" @click=${() => (this.renderRoot.querySelector('#plan-input') as HTMLInputElement).click()}>Open plan…</button>
      <input id="plan-input" type="file" accept=".sacroplan,application/zip" @change=${this.onPlanInput} />
      <button id="export-seg" ?disabled=${!loaded || s.lesions.length === 0} title="Save the lesions as a DICOM SEG (one segment per lesion) that PACS, OHIF and 3D Slicer open" @click=${() => seg.downloadSeg().catch(() => undefined)}>Export SEG</button>
      <!-- what Export SEG and Store SEG (PACS) write besides the lesions; a tick keeps the menu open -->
      <label class="seg-extra" title="Add the detected sacrum bone mask (SCT Sacrum) to the SEG"><input id="seg-sacrum" type="checkbox" .checked=${seg.segExtras().sacrum} @change=${(e: Event) => seg.setSegExtras({ sacrum: (e.target as HTMLInputElement).checked })} /> SEG + sacrum mask</label>
      <label class="seg-extra" title="Add the Denis zone map (zones 1–3, coded) to the SEG"><input id="seg-zones" type="checkbox" .checked=${seg.segExtras().zones} @change=${(e: Event) => seg.setSegExtras({ zones: (e.target as HTMLInputElement).checked })} /> SEG + Denis zones</label>
      <button id="import-seg" ?disabled=${!loaded} title="Add the segments of a DICOM SEG made on this series as lesions" @click=${() => (this.renderRoot.querySelector('#seg-input') as HTMLInputElement).click()}>Import SEG…</button>
      <input id="seg-input" type="file" accept=".dcm,application/dicom,*/*" @change=${this.onSegInput} />
      <button id="open-report" ?disabled=${!loaded} title="A printable report of the case (print or save as PDF)" @click=${() => { if (!document.querySelector('sp-report')) document.body.append(document.createElement('sp-report')); }}>Report</button>
      <button id="saved-cases" aria-expanded=${this.list !== null} title="Cases stored in this browser (autosave)" @click=${() => this.toggleList()}>Saved cases</button>
      </div></details>
      ${this.renderAutosave()}
      ${this.list
        ? html`<div class="saved-cases" role="dialog" aria-label="Saved cases">
            ${this.list.length === 0
              ? html`<div class="muted">No case is stored in this browser.</div>`
              : html`<table>${this.list.map((c) => html`<tr class="saved-case" data-key=${c.key}>
                  <td>${time(c.savedAt)}</td><td>${c.patientName || '—'} · ${c.description || '—'}</td><td>${c.lesions} lesions, ${c.needles} needles</td><td>${(c.sizeBytes / 1024).toFixed(0)} kB</td>
                  <td>${c.thisSeries ? html`<button class="restore" @click=${() => this.restore(c.key)}>Restore</button>` : html`<span class="muted" title="Open its series to restore it">other series</span>`}</td>
                  <td><button class="delete" title="Delete this saved case" @click=${() => this.removeCase(c.key)}>Delete</button></td></tr>`)}</table>`}
          </div>`
        : nothing}
      ${s.restoreOffer
        ? html`<div class="offer" role="alertdialog" aria-label="Restore autosave">
            This series has an autosaved case from ${time(s.restoreOffer.savedAt)}: ${s.restoreOffer.lesions} lesions, ${s.restoreOffer.needles} needles.
            <div class="actions">
              <button id="restore-autosave" @click=${() => autosave.restoreAutosave().catch((err: Error) => actions.notify('error', `Not restored: ${err.message}`))}>Restore</button>
              <button id="dismiss-autosave" title="It stays under Saved cases" @click=${() => autosave.dismissRestoreOffer()}>Not now</button>
            </div>
          </div>`
        : nothing}
      ${s.question
        ? html`<div class="question" role="alertdialog" aria-label="Unsaved changes">
            ${s.question.text}
            <div class="actions">
              <button id="question-ok" @click=${() => autosave.answerQuestion(true)}>${s.question.okLabel}</button>
              <button id="question-cancel" @click=${() => autosave.answerQuestion(false)}>Cancel</button>
            </div>
          </div>`
        : nothing}
    `;
  }
}
customElements.define('sp-case-bar', SpCaseBar);

declare global {
  interface HTMLElementTagNameMap {
    'sp-case-bar': SpCaseBar;
  }
}
