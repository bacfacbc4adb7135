/** <sp-series-browser>: every series found, with its geometry and warnings; click to load. */
import { LitElement, html, css } from 'lit';
import type { SeriesInfo } from '../io/types';
import { panelStyles } from './styles';

export class SpSeriesBrowser extends LitElement {
  static override properties = { series: { attribute: false }, activeKey: { attribute: false } };
  series: SeriesInfo[] = [];
  activeKey: string | null = null;

  static override styles = [
    panelStyles,
    css`
      ul { list-style: none; margin: 0; padding: 0; }
      li { border: 1px solid #232a33; border-radius: 5px; padding: 6px 8px; margin-bottom: 6px; cursor: pointer; background: #12161c; }
      li:hover { border-color: #3c4857; }
      li.active { border-color: #3f6a94; background: #142030; }
      li.blocked { cursor: not-allowed; opacity: 0.75; }
      .head { display: flex; gap: 6px; align-items: baseline; }
      .mod { font-weight: 700; color: #e8c66a; }
      .desc { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .geo { font: 11px ui-monospace, monospace; color: #9aa6b2; }
      .w { font-size: 11.5px; margin-top: 3px; }
    `,
  ];

  private pick(s: SeriesInfo): void {
    if (!s.loadable) return;
    this.dispatchEvent(new CustomEvent('sp-select-series', { detail: { key: s.key }, bubbles: true, composed: true }));
  }

  override render() {
    if (this.series.length === 0) return html``;
    return html`<h3>Series (${this.series.length})</h3>
      <ul>
        ${this.series.map(
          (s) => html`<li class="${s.key === this.activeKey ? 'active' : ''} ${s.loadable ? '' : 'blocked'}" data-series-key=${s.key} @click=${() => this.pick(s)}>
            <div class="head"><span class="mod">${s.modality || '?'}</span><span class="desc" title=${s.seriesDescription}>${s.seriesDescription || '(no description)'}</span><span class="muted">#${s.seriesNumber ?? '–'}</span></div>
            <div class="geo">${s.sliceCount} slices · ${s.dims.join('×')} · ${s.spacingMm ? s.spacingMm.map((v) => v.toFixed(2)).join('×') + ' mm' : 'spacing unknown'}</div>
            ${s.loadable ? '' : html`<div class="w err">Not loadable: ${s.blockedReason ?? ''}</div>`}
            ${s.warnings.map((w) => html`<div class="w ${w.blocksMeasurement ? 'err' : 'warn'}">⚠ ${w.message}</div>`)}
          </li>`,
        )}
      </ul>`;
  }
}
customElements.define('sp-series-browser', SpSeriesBrowser);
