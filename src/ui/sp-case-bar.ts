/**
 * <sp-case-bar>: the toolbar group of the open case: save the plan (Ctrl+S), open a plan.
 */
import { LitElement, html, css } from 'lit';
import type { AppState } from '../app/store';
import * as actions from '../app/actions';
import * as plan from '../app/plan';
import { panelStyles } from './styles';

export class SpCaseBar extends LitElement {
  static override properties = { state: { attribute: false } };
  state!: AppState;

  static override styles = [
    panelStyles,
    css`
      :host { display: flex; gap: 4px; align-items: center; }
      input[type='file'] { display: none; }
    `,
  ];

  private onPlanInput(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) plan.openPlan(file).catch((err: Error) => actions.notify('error', err.message));
  }

  override render() {
    const loaded = !!this.state.loaded;
    return html`
      <button id="save-plan" ?disabled=${!loaded} title="Save the case as a .sacroplan file (Ctrl+S)" @click=${() => plan.downloadPlan().catch((err: Error) => actions.notify('error', `The plan was not saved: ${err.message}`))}>Save plan</button>
      <button id="open-plan" ?disabled=${!loaded} title="Open a .sacroplan file made on this series" @click=${() => (this.renderRoot.querySelector('#plan-input') as HTMLInputElement).click()}>Open plan…</button>
      <input id="plan-input" type="file" accept=".sacroplan,application/zip" @change=${this.onPlanInput} />
    `;
  }
}

customElements.define('sp-case-bar', SpCaseBar);

declare global {
  interface HTMLElementTagNameMap {
    'sp-case-bar': SpCaseBar;
  }
}
