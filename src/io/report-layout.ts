/**
 * The PDF report's layout, without DOM or PDF library: the report's rows (already formatted, see
 * app/report.ts) become drawing operations on A4 pages (text lines, rules, images), so the page
 * breaks, the wrapping of long cells and the text's encoding can be unit-tested. app/report-pdf.ts
 * draws the operations with pdf-lib.
 *
 * The text is drawn in the PDF's standard Helvetica, which encodes only WinAnsi (Windows-1252):
 * every string goes through `winAnsiSafe` first, which spells the other characters in ASCII (≤ as
 * <=) and never throws.
 */

/** A4 in PostScript points (210 × 297 mm, 72 pt per inch). */
export const A4_PT = { width: 595.28, height: 841.89 } as const;
const MARGIN_PT = 40;
const FOOTER_PT = 24;
const BODY_PT = 8.5;
const LINE_PT = BODY_PT * 1.25;
const CELL_PAD_PT = 3;

export type Rgb = readonly [number, number, number];
const BLACK: Rgb = [0.07, 0.07, 0.07];
const GREY: Rgb = [0.35, 0.35, 0.35];
const RULE: Rgb = [0.7, 0.7, 0.7];
const HEAD_FILL: Rgb = [0.92, 0.92, 0.92];
const VERDICT_RGB: Record<string, Rgb> = { fail: [0.69, 0, 0.13], warn: [0.54, 0.35, 0], pass: [0.11, 0.37, 0.13] };

export type DrawOp =
  | { kind: 'text'; page: number; x: number; y: number; size: number; bold: boolean; rgb: Rgb; text: string }
  | { kind: 'rect'; page: number; x: number; y: number; width: number; height: number; fill: Rgb | null; stroke: Rgb | null; lineWidth: number }
  | { kind: 'image'; page: number; x: number; y: number; width: number; height: number; image: number };

/** Width of `text` (already WinAnsi-safe) in points at `sizePt`. */
export type MeasureText = (text: string, sizePt: number, bold: boolean) => number;

export interface ReportLayoutInput {
  identifiers: readonly { label: string; value: string }[];
  createdAt: string;
  lesions: readonly { name: string; volumeMl: string; abc2Ml: string; maxDiameterMm: string; zone: string; foramina: string; criteria: string }[];
  needles: readonly {
    id: string; lesion: string; approach: string; needle: string; depthMm: string; nearestForamen: string; canalMm: string;
    verdict: string; reasons: readonly string[]; ablationCoverage: string; cementMl: string;
  }[];
  thresholds: readonly { label: string; value: string }[];
  /** Key images in report order; width/height in pixels, null when the picture could not be taken (the note says why). */
  images: readonly { title: string; note: string; widthPx: number | null; heightPx: number | null }[];
}

export interface ReportLayout {
  pageCount: number;
  ops: DrawOp[];
}

/** The 0x80–0x9F characters of Windows-1252 (the rest of WinAnsi is Latin-1's printable range). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
/** ASCII spellings of characters Helvetica's WinAnsi cannot encode but reports use. */
const SPELLED: Record<string, string> = {
  '≤': '<=', '≥': '>=', '×': 'x', '−': '-', '‐': '-', '‑': '-', '→': '->', '←': '<-', '↔': '<->', '≈': '~', '≠': '!=',
  '∅': 'diam.', 'Δ': 'delta ', 'α': 'alpha', 'β': 'beta', 'σ': 'sigma', '√': 'sqrt', '∞': 'inf', '\u2009': ' ', '\u202f': ' ', '\u2002': ' ', '\u2003': ' ',
  '✓': 'ok', '✗': 'x', '⚠': '!', '…': '...',
};

/** `s` with only characters standard Helvetica (WinAnsi) can draw: known ones spelled in ASCII, others as '?'; tabs and newlines as spaces. */
export function winAnsiSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch in SPELLED) out += SPELLED[ch];
    else if (c === 9 || c === 10 || c === 13) out += ' ';
    else if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += '?';
  }
  return out;
}

/** Splits `text` into lines no wider than `widthPt`; a word longer than a line is cut. Never returns no line. */
export function wrapText(text: string, widthPt: number, sizePt: number, bold: boolean, measure: MeasureText): string[] {
  const words = winAnsiSafe(text).split(/ +/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  const push = (w: string): void => {
    const tryLine = line ? `${line} ${w}` : w;
    if (measure(tryLine, sizePt, bold) <= widthPt) { line = tryLine; return; }
    if (line) { lines.push(line); line = ''; }
    if (measure(w, sizePt, bold) <= widthPt) { line = w; return; }
    // a word wider than the cell (a UID): cut it where it fills the line
    let part = '';
    for (const ch of w) {
      if (part && measure(part + ch, sizePt, bold) > widthPt) { lines.push(part); part = ''; }
      part += ch;
    }
    line = part;
  };
  for (const w of words) push(w);
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

interface Cell {
  /** Paragraphs, each starting on a new line. */
  paras: string[];
  right?: boolean;
  /** Colour and weight of the first paragraph (the verdict). */
  firstRgb?: Rgb;
  firstBold?: boolean;
}

interface Column { title: string; weight: number; right?: boolean }

/** Lays the report out on A4 pages; each key image is scaled from its pixel size in the input. */
export function layoutReport(input: ReportLayoutInput, measure: MeasureText): ReportLayout {
  const ops: DrawOp[] = [];
  const left = MARGIN_PT;
  const contentW = A4_PT.width - 2 * MARGIN_PT;
  const top = A4_PT.height - MARGIN_PT;
  const bottom = MARGIN_PT + FOOTER_PT;
  let page = 0;
  let y = top;

  const newPage = (): void => { page += 1; y = top; };
  const ensure = (heightPt: number): void => { if (y - heightPt < bottom && y < top) newPage(); };
  const text = (x: number, baseline: number, s: string, size = BODY_PT, bold = false, rgb: Rgb = BLACK): void => {
    ops.push({ kind: 'text', page, x, y: baseline, size, bold, rgb, text: winAnsiSafe(s) });
  };
  /** `keepPt`: what must follow the heading on the same page (a short table is kept whole). */
  const heading = (s: string, size = 12, keepPt = LINE_PT * 3): void => {
    ensure(size * 1.6 + 10 + keepPt);
    y -= size * 1.4;
    text(left, y, s, size, true);
    y -= 4;
    ops.push({ kind: 'rect', page, x: left, y, width: contentW, height: 0.6, fill: GREY, stroke: null, lineWidth: 0 });
    y -= 6;
  };

  const table = (columns: readonly Column[], rows: readonly Cell[][]): void => {
    const total = columns.reduce((s, c) => s + c.weight, 0);
    const widths = columns.map((c) => (c.weight / total) * contentW);
    const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const inner = (i: number): number => widths[i]! - 2 * CELL_PAD_PT;
    type Laid = { lines: { s: string; bold: boolean; rgb: Rgb }[]; right: boolean }[];
    const lay = (cells: Cell[], head: boolean): { laid: Laid; height: number } => {
      const laid: Laid = cells.map((c, i) => {
        const lines: { s: string; bold: boolean; rgb: Rgb }[] = [];
        c.paras.forEach((p, k) => {
          const bold = head || (k === 0 && !!c.firstBold);
          const rgb = k === 0 && c.firstRgb ? c.firstRgb : BLACK;
          for (const s of wrapText(p, inner(i), BODY_PT, bold, measure)) lines.push({ s, bold, rgb });
        });
        return { lines, right: !head && !!(c.right ?? columns[i]!.right) };
      });
      const n = Math.max(1, ...laid.map((c) => c.lines.length));
      return { laid, height: n * LINE_PT + 2 * CELL_PAD_PT };
    };
    const draw = ({ laid, height }: { laid: Laid; height: number }, head: boolean): void => {
      const y0 = y - height;
      if (head) ops.push({ kind: 'rect', page, x: left, y: y0, width: contentW, height, fill: HEAD_FILL, stroke: null, lineWidth: 0 });
      laid.forEach((c, i) => {
        ops.push({ kind: 'rect', page, x: xs[i]!, y: y0, width: widths[i]!, height, fill: null, stroke: RULE, lineWidth: 0.5 });
        c.lines.forEach((l, k) => {
          const w = measure(l.s, BODY_PT, l.bold);
          const x = c.right ? xs[i]! + widths[i]! - CELL_PAD_PT - w : xs[i]! + CELL_PAD_PT;
          ops.push({ kind: 'text', page, x, y: y - CELL_PAD_PT - (k + 1) * LINE_PT + BODY_PT * 0.3, size: BODY_PT, bold: l.bold, rgb: l.rgb, text: l.s });
        });
      });
      y = y0;
    };
    const head = lay(columns.map((c) => ({ paras: [c.title] })), true);
    ensure(head.height + LINE_PT * 2 + 2 * CELL_PAD_PT);
    draw(head, true);
    for (const r of rows) {
      const row = lay(r, false);
      if (y - row.height < bottom) {
        newPage();
        draw(head, true); // the header again on the new page
      }
      draw(row, false);
    }
  };

  // Title and identifiers
  y -= 16;
  text(left, y, 'SacroPlan planning report', 16, true);
  y -= 10;
  table([{ title: 'Case', weight: 1 }, { title: '', weight: 3.5 }], [
    ...input.identifiers.map((i): Cell[] => [{ paras: [i.label], firstBold: true }, { paras: [i.value] }]),
    [{ paras: ['Created'], firstBold: true }, { paras: [input.createdAt] }],
  ]);

  heading(`Lesions (${input.lesions.length})`);
  if (input.lesions.length === 0) { y -= LINE_PT; text(left, y, 'No lesion.'); }
  else table(
    [
      { title: 'Lesion', weight: 1.2 }, { title: 'Volume (mL; PV = partial-volume corr.)', weight: 1.1, right: true }, { title: 'ABC/2 (mL)', weight: 0.9, right: true },
      { title: 'Max diameter (mm)', weight: 1, right: true }, { title: 'Zone', weight: 0.8 }, { title: 'Foramina touched', weight: 1.2 }, { title: 'Study criteria', weight: 3 },
    ],
    input.lesions.map((l) => [l.name, l.volumeMl, l.abc2Ml, l.maxDiameterMm, l.zone, l.foramina, l.criteria].map((s) => ({ paras: [s] }))),
  );

  heading(`Needles (${input.needles.length})`);
  if (input.needles.length === 0) { y -= LINE_PT; text(left, y, 'No needle.'); }
  else table(
    [
      { title: 'Needle', weight: 0.8 }, { title: 'Lesion', weight: 0.9 }, { title: 'Approach', weight: 1 }, { title: 'Type', weight: 1 },
      { title: 'Depth (mm)', weight: 0.7, right: true }, { title: 'Nearest foramen (mm)', weight: 1.3, right: true }, { title: 'Canal (mm)', weight: 0.7, right: true },
      { title: 'Verdict and reasons', weight: 2.4 }, { title: 'Ablation coverage', weight: 1, right: true }, { title: 'Cement (mL)', weight: 0.85, right: true },
    ],
    input.needles.map((n): Cell[] => [
      { paras: [n.id] }, { paras: [n.lesion] }, { paras: [n.approach] }, { paras: [n.needle] }, { paras: [n.depthMm] }, { paras: [n.nearestForamen] }, { paras: [n.canalMm] },
      { paras: [n.verdict.toUpperCase(), ...n.reasons.map((r) => `- ${r}`)], firstBold: true, firstRgb: VERDICT_RGB[n.verdict] ?? BLACK },
      { paras: [n.ablationCoverage] }, { paras: [n.cementMl] },
    ]),
  );

  // Key images: up to three side by side, aspect kept, each with its caption underneath.
  if (input.images.length > 0) {
    heading('Key images');
    const perRow = 3;
    const gap = 8;
    const cellW = (contentW - gap * (perRow - 1)) / perRow;
    for (let r = 0; r < input.images.length; r += perRow) {
      const row = input.images.slice(r, r + perRow);
      const sized = row.map((im) => {
        const h = im.widthPx && im.heightPx ? Math.min(cellW * (im.heightPx / im.widthPx), 260) : 0;
        const w = im.widthPx && im.heightPx ? h * (im.widthPx / im.heightPx) : 0;
        const caption = wrapText(im.note ? `${im.title} - ${im.note}` : im.title, cellW, BODY_PT - 0.5, false, measure);
        return { w, h, caption };
      });
      const rowH = Math.max(...sized.map((s) => s.h + 4 + s.caption.length * LINE_PT));
      ensure(rowH);
      sized.forEach((s, k) => {
        const x = left + k * (cellW + gap);
        if (s.h > 0) ops.push({ kind: 'image', page, x, y: y - s.h, width: s.w, height: s.h, image: r + k });
        s.caption.forEach((line, j) => text(x, y - s.h - 4 - (j + 1) * LINE_PT + 2, line, BODY_PT - 0.5, false, GREY));
      });
      y -= rowH + gap;
    }
  }

  heading('Thresholds used', 12, (input.thresholds.length + 1) * (LINE_PT + 2 * CELL_PAD_PT));
  table([{ title: 'Threshold', weight: 3 }, { title: 'Value', weight: 1, right: true }], input.thresholds.map((t) => [{ paras: [t.label] }, { paras: [t.value] }]));

  // The disclaimer, boxed
  const disclaimer = wrapText('Planning aid, not a medical device. Every number must be checked on the images by the operator.', contentW - 12, 10, true, measure);
  const boxH = disclaimer.length * 13 + 10;
  ensure(boxH + 14);
  y -= 14;
  ops.push({ kind: 'rect', page, x: left, y: y - boxH, width: contentW, height: boxH, fill: null, stroke: BLACK, lineWidth: 1.5 });
  disclaimer.forEach((l, k) => text(left + 6, y - 5 - (k + 1) * 13 + 3, l, 10, true));
  y -= boxH;

  // Footers: the page number and the disclaimer on every page.
  const pageCount = page + 1;
  for (let p = 0; p < pageCount; p++) {
    const s = winAnsiSafe(`SacroPlan planning report - planning aid, not a medical device - page ${p + 1} of ${pageCount}`);
    ops.push({ kind: 'text', page: p, x: left, y: MARGIN_PT, size: 7.5, bold: false, rgb: GREY, text: s });
  }
  return { pageCount, ops };
}
