/**
 * <sp-report>: the printable report of the open case over the app (Report in the case bar): case
 * identifiers with an anonymise switch, a table per lesion and per needle, the thresholds used,
 * and the disclaimer. Print (the browser's print, or "Save as PDF") prints only this page: a
 * global print style hides the rest of the app while the report is open.
 */
import { LitElement, html, css, nothing } from 'lit';
import { reportData, type ReportData } from '../app/report';

const PRINT_STYLE_ID = 'sp-report-print-style';

export class SpReport extends LitElement {
  static override properties = { anonymise: { state: true }, data: { state: true } };
  anonymise = false;
  data: ReportData | null = null;

  static override styles = css`
    :host { position: fixed; inset: 0; z-index: 100; overflow: auto; background: #fff; color: #111; font: 12px/1.4 system-ui, sans-serif; }
    .page { max-width: 980px; margin: 0 auto; padding: 18px 24px; }
    .bar { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; }
    h1 { font-size: 18px; margin: 0 0 6px; }
    h2 { font-size: 14px; margin: 16px 0 6px; border-bottom: 1px solid #999; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
    th { background: #eee; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .fail { color: #b00020; font-weight: 600; }
    .warn { color: #8a5a00; font-weight: 600; }
    .pass { color: #1b5e20; font-weight: 600; }
    .disclaimer { margin-top: 16px; padding: 6px 8px; border: 2px solid #111; font-weight: 700; }
    ul { margin: 0; padding-left: 16px; }
    td.verdict { min-width: 240px; }
    td.name { min-width: 70px; }
    @media print {
      :host { position: static; overflow: visible; font-size: 10px; }
      .bar { display: none; }
      .page { max-width: none; padding: 0; }
      tr { break-inside: avoid; }
    }
  `;

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
      <h1>SacroPlan planning report</h1>
      <table class="identifiers">${d.identifiers.map((i) => html`<tr><th>${i.label}</th><td>${i.value}</td></tr>`)}<tr><th>Created</th><td>${d.createdAt}</td></tr></table>

      <h2>Lesions (${d.lesions.length})</h2>
      ${d.lesions.length === 0 ? html`<div>No lesion.</div>` : html`<table class="lesions">
        <tr><th>Lesion</th><th>Volume (mL)</th><th>ABC/2 (mL)</th><th>Max diameter (mm)</th><th>Zone</th><th>Foramina touched</th><th>Study criteria</th></tr>
        ${d.lesions.map((l) => html`<tr class="lesion" data-id=${l.id}><td class="name">${l.name}</td><td class="num volume">${l.volumeMl}</td><td class="num abc2">${l.abc2Ml}</td><td class="num diameter">${l.maxDiameterMm}</td><td class="zone">${l.zone}</td><td class="foramina">${l.foramina}</td><td class="criteria">${l.criteria}</td></tr>`)}
      </table>`}

      <h2>Needles (${d.needles.length})</h2>
      ${d.needles.length === 0 ? html`<div>No needle.</div>` : html`<table class="needles">
        <tr><th>Needle</th><th>Lesion</th><th>Approach</th><th>Type</th><th>Depth (mm)</th><th>Nearest foramen (mm)</th><th>Canal (mm)</th><th>Verdict and reasons</th><th>Ablation coverage</th><th>Cement (mL)</th></tr>
        ${d.needles.map((n) => html`<tr class="needle" data-id=${n.id}><td>${n.id}</td><td>${n.lesion}</td><td class="approach">${n.approach}</td><td class="type">${n.needle}</td><td class="num depth">${n.depthMm}</td><td class="num foramen">${n.nearestForamen}</td><td class="num canal">${n.canalMm}</td>
          <td class="verdict"><span class=${n.verdict}>${n.verdict.toUpperCase()}</span>${n.reasons.length ? html`<ul>${n.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : nothing}</td><td class="num coverage">${n.ablationCoverage}</td><td class="num cement">${n.cementMl}</td></tr>`)}
      </table>`}

      <h2>Thresholds used</h2>
      <table class="thresholds">${d.thresholds.map((t) => html`<tr><th>${t.label}</th><td class="num">${t.value}</td></tr>`)}</table>

      <div class="disclaimer">Planning aid, not a medical device. Every number must be checked on the images by the operator.</div>
    </div>`;
  }
}
customElements.define('sp-report', SpReport);

declare global {
  interface HTMLElementTagNameMap {
    'sp-report': SpReport;
  }
}
