/**
 * The report as HTML, shown over the app (<sp-report>) and printed from there (the browser's
 * print); `report()` returns the same content as a PDF (report-pdf.ts). Text is escaped; numbers
 * come formatted from report.ts.
 */
import type { ReportData } from './report';

/** A picture of a view for the report; `dataUrl` null with the reason in `note` when it could not be taken. */
export interface KeyImage {
  id: 'mpr' | '3d' | 'fluoro';
  title: string;
  dataUrl: string | null;
  note: string;
}

export const REPORT_CSS = `
  .report { color: #111; font: 12px/1.4 system-ui, sans-serif; }
  .report h1 { font-size: 18px; margin: 0 0 6px; }
  .report h2 { font-size: 14px; margin: 16px 0 6px; border-bottom: 1px solid #999; }
  .report table { border-collapse: collapse; width: 100%; }
  .report th, .report td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
  .report th { background: #eee; }
  .report td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .report .fail { color: #b00020; font-weight: 600; }
  .report .warn { color: #8a5a00; font-weight: 600; }
  .report .pass { color: #1b5e20; font-weight: 600; }
  .report .disclaimer { margin-top: 16px; padding: 6px 8px; border: 2px solid #111; font-weight: 700; }
  .report ul { margin: 0; padding-left: 16px; }
  .report td.verdict { min-width: 240px; }
  .report td.name { min-width: 70px; }
  .report .key-images { display: flex; gap: 8px; flex-wrap: wrap; }
  .report figure { margin: 0; flex: 1 1 30%; min-width: 200px; break-inside: avoid; }
  .report figure img { width: 100%; border: 1px solid #999; background: #000; display: block; }
  .report figcaption { font-size: 11px; color: #333; }
  @media print {
    .report { font-size: 10px; }
    .report tr { break-inside: avoid; }
  }
`;

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESC[c]!);

function keyImagesHtml(images: readonly KeyImage[]): string {
  if (images.length === 0) return '';
  return `<h2>Key images</h2><div class="key-images">${images
    .map((k) => `<figure class="key-image" data-id="${esc(k.id)}">${k.dataUrl ? `<img alt="${esc(k.title)}" src="${esc(k.dataUrl)}">` : ''}<figcaption>${esc(k.title)}${k.note ? ` — ${esc(k.note)}` : ''}</figcaption></figure>`)
    .join('')}</div>`;
}

/** The report's body (inside a `.report` element). */
export function reportBodyHtml(d: ReportData, images: readonly KeyImage[]): string {
  const ids = d.identifiers.map((i) => `<tr><th>${esc(i.label)}</th><td>${esc(i.value)}</td></tr>`).join('');
  const lesions = d.lesions.length === 0
    ? '<div>No lesion.</div>'
    : `<table class="lesions"><tr><th>Lesion</th><th title="PV: partial-volume corrected (lesions made from the CT image); otherwise voxel count">Volume (mL; PV = partial-volume corrected)</th><th>ABC/2 (mL)</th><th>Max diameter (mm)</th><th>Zone</th><th>Foramina touched</th><th>Study criteria</th></tr>${d.lesions
        .map((l) => `<tr class="lesion" data-id="${esc(l.id)}"><td class="name">${esc(l.name)}</td><td class="num volume">${esc(l.volumeMl)}</td><td class="num abc2">${esc(l.abc2Ml)}</td><td class="num diameter">${esc(l.maxDiameterMm)}</td><td class="zone">${esc(l.zone)}</td><td class="foramina">${esc(l.foramina)}</td><td class="criteria">${esc(l.criteria)}</td></tr>`)
        .join('')}</table>`;
  const needles = d.needles.length === 0
    ? '<div>No needle.</div>'
    : `<table class="needles"><tr><th>Needle</th><th>Lesion</th><th>Approach</th><th>Type</th><th>Depth (mm)</th><th>Nearest foramen (mm)</th><th>Canal (mm)</th><th>Verdict and reasons</th><th>Ablation coverage</th><th>Cement (mL)</th></tr>${d.needles
        .map((n) => `<tr class="needle" data-id="${esc(n.id)}"><td>${esc(n.id)}</td><td>${esc(n.lesion)}</td><td class="approach">${esc(n.approach)}</td><td class="type">${esc(n.needle)}</td><td class="num depth">${esc(n.depthMm)}</td><td class="num foramen">${esc(n.nearestForamen)}</td><td class="num canal">${esc(n.canalMm)}</td><td class="verdict"><span class="${esc(n.verdict)}">${esc(n.verdict.toUpperCase())}</span>${n.reasons.length ? `<ul>${n.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}</td><td class="num coverage">${esc(n.ablationCoverage)}</td><td class="num cement">${esc(n.cementMl)}</td></tr>`)
        .join('')}</table>`;
  const thresholds = d.thresholds.map((t) => `<tr><th>${esc(t.label)}</th><td class="num">${esc(t.value)}</td></tr>`).join('');
  return `<h1>SacroPlan planning report</h1>
<table class="identifiers">${ids}<tr><th>Created</th><td>${esc(d.createdAt)}</td></tr></table>
<h2>Lesions (${d.lesions.length})</h2>${lesions}
<h2>Needles (${d.needles.length})</h2>${needles}
${keyImagesHtml(images)}
<h2>Thresholds used</h2><table class="thresholds">${thresholds}</table>
<div class="disclaimer">Planning aid, not a medical device. Every number must be checked on the images by the operator.</div>`;
}
