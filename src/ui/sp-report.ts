/**
 * <sp-report>: the printable report of the open case over the app (Report in the case bar): case
 * identifiers with an anonymise switch, a table per lesion and per needle, key images of the
 * views, the thresholds used, and the disclaimer (app/report-html.ts: the same HTML as `report()`). Print (the browser's print, or "Save as PDF") prints only this page: a
 * global print style hides the rest of the app while the report is open.
 */
import { LitElement, html, css, nothing, unsafeCSS } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { reportData, keyImages, setKeyImageSource, type ReportData, type KeyImage } from '../app/report';
import { REPORT_CSS, reportBodyHtml } from '../app/report-html';
import { captureKeyImages } from './key-images';

setKeyImageSource(captureKeyImages);

const PRINT_STYLE_ID = 'sp-report-print-style';

export class SpReport extends LitElement {
  static override properties = { anonymise: { state: true }, data: { state: true }, images: { state: true } };
  anonymise = false;
  data: ReportData | null = null;
  /** Taken when the report opens (the views behind it do not change while it is open). */
  images: KeyImage[] = [];

  static override styles = [
    unsafeCSS(REPORT_CSS),
    css`
      :host { position: fixed; inset: 0; z-index: 100; overflow: auto; background: #fff; color: #111; }
      .page { max-width: 980px; margin: 0 auto; padding: 18px 24px; }
      .bar { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; font: 12px system-ui, sans-serif; }
      @media print {
        :host { position: static; overflow: visible; }
        .bar { display: none; }
        .page { max-width: none; padding: 0; }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!document.getElementById(PRINT_STYLE_ID)) {
      const style = document.createElement('style');
      style.id = PRINT_STYLE_ID;
      // The app's page is one screen high without scrolling: for print, the document grows with the report.
      style.textContent = '@media print { body > *:not(sp-report) { display: none !important; } :root { color-scheme: light !important; } html, body { height: auto !important; overflow: visible !important; background: #fff !important; } @page { size: A4; margin: 12mm; } }';
      document.head.append(style);
    }
    this.refresh();
    void keyImages().then((k) => (this.images = k)).catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.getElementById(PRINT_STYLE_ID)?.remove();
  }

  refresh(): void {
    this.data = reportData(this.anonymise);
  }

  private setAnonymise(on: boolean): void {
    this.anonymise = on;
    this.refresh();
  }

  override render() {
    const d = this.data;
    if (!d) return nothing;
    return html`<div class="page">
      <div class="bar">
        <label><input id="anonymise" type="checkbox" .checked=${this.anonymise} @change=${(e: Event) => this.setAnonymise((e.target as HTMLInputElement).checked)} /> Anonymise</label>
        <button id="print-report" @click=${() => window.print()}>Print / PDF</button>
        <button id="close-report" @click=${() => this.remove()}>Close</button>
      </div>
      <div class="report">${unsafeHTML(reportBodyHtml(d, this.images))}</div>
    </div>`;
  }
}
customElements.define('sp-report', SpReport);

declare global {
  interface HTMLElementTagNameMap {
    'sp-report': SpReport;
  }
}
