/**
 * The PDF report's layout: WinAnsi-safe text, wrapping of long cells, page breaks with the table
 * header repeated, footers on every page; and the PDF drawn from it by pdf-lib (in node) holds the
 * numbers as real text (pdftotext, when poppler-utils is installed).
 */
import { describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutReport, winAnsiSafe, wrapText, A4_PT, type MeasureText, type ReportLayoutInput } from '../../src/io/report-layout';
import { reportPdfBytes } from '../../src/app/report-pdf';

async function helvetica(): Promise<{ measure: MeasureText; regular: PDFFont }> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  return { regular, measure: (s, size, b) => (b ? bold : regular).widthOfTextAtSize(s, size) };
}

const needle = (i: number, reasons: string[]): ReportLayoutInput['needles'][number] => ({
  id: `n${i}`, lesion: 'Lesion 1', approach: 'transiliac', needle: '11G bone', depthMm: `${50 + i}.3`, nearestForamen: 'S1L 7.4', canalMm: '12.0',
  verdict: i % 2 ? 'fail' : 'pass', reasons, ablationCoverage: '—', cementMl: '2.00',
});

function input(needles: number, reasons: string[] = ['Tip 1.2 mm from the anterior cortex (≤ 3 mm)']): ReportLayoutInput {
  return {
    identifiers: [{ label: 'Patient', value: 'DEMO^SACRUM' }, { label: 'Study UID', value: '1.2.826.0.1.3680043.8.498.12345678901234567890123456789012345678901234567890' }],
    createdAt: '2026-12-06 18:00 UTC',
    lesions: [{ name: 'Lesion 1', volumeMl: '12.34', abc2Ml: '13.01', maxDiameterMm: '31.5', zone: 'Denis 2', foramina: 'S1L, S2L', criteria: 'Study criteria: diameter ≥ 20 mm met; 2 × foramina entered; 5 µm' }],
    needles: Array.from({ length: needles }, (_, i) => needle(i, reasons)),
    thresholds: [{ label: 'Needle to foramen/canal: fail below (mm)', value: '2' }],
    images: [{ title: 'Axial', note: '', widthPx: 800, heightPx: 600 }, { title: '3D', note: 'view hidden', widthPx: null, heightPx: null }],
  };
}

describe('report layout', () => {
  it('spells what Helvetica cannot encode, keeps WinAnsi, never throws', async () => {
    expect(winAnsiSafe('≤ 3 mm, ≥ 20 mm, 2 × 3, 5 µm, 37 °C, — · é')).toBe('<= 3 mm, >= 20 mm, 2 x 3, 5 µm, 37 °C, — · é');
    expect(winAnsiSafe('漢字 🙂\tok')).toBe('?? ? ok');
    const { regular } = await helvetica();
    const weird = winAnsiSafe('≤≥×µ−→≈ 漢 🙂 € ™ œ ± ² ½');
    expect(() => regular.encodeText(weird)).not.toThrow();
  });

  it('wraps long cells within the width, cutting words longer than a line', async () => {
    const { measure } = await helvetica();
    const lines = wrapText('1.2.826.0.1.3680043.8.498.12345678901234567890123456789012345678901234567890 and more words after it', 60, 8.5, false, measure);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(measure(l, 8.5, false)).toBeLessThanOrEqual(60);
    expect(lines.join('').replace(/ /g, '')).toBe('1.2.826.0.1.3680043.8.498.12345678901234567890123456789012345678901234567890andmorewordsafterit');
    expect(wrapText('', 60, 8.5, false, measure)).toEqual(['']);
  });

  it('breaks pages, repeats the table header, keeps everything inside the page, a footer on each page', async () => {
    const { measure } = await helvetica();
    const one = layoutReport(input(1), measure);
    expect(one.pageCount).toBe(1);
    const many = layoutReport(input(40, ['Passes 1.1 mm from S1L (fail below 2 mm)', 'Tip outside the lesion by 4.2 mm', 'Crosses the sacroiliac joint']), measure);
    expect(many.pageCount).toBeGreaterThan(2);
    for (const op of many.ops) {
      expect(op.page).toBeGreaterThanOrEqual(0);
      expect(op.page).toBeLessThan(many.pageCount);
      expect(op.x).toBeGreaterThanOrEqual(0);
      expect(op.y).toBeGreaterThanOrEqual(0);
      if (op.kind !== 'text') {
        expect(op.x + op.width).toBeLessThanOrEqual(A4_PT.width - 39);
        expect(op.y + op.height).toBeLessThanOrEqual(A4_PT.height - 39);
      } else {
        expect(op.x + measure(op.text, op.size, op.bold)).toBeLessThanOrEqual(A4_PT.width - 39);
        expect(op.y).toBeGreaterThanOrEqual(39);
      }
    }
    const texts = (p: number) => many.ops.filter((o) => o.kind === 'text' && o.page === p).map((o) => (o as { text: string }).text);
    for (let p = 0; p < many.pageCount; p++) expect(texts(p).some((t) => t.endsWith(`page ${p + 1} of ${many.pageCount}`))).toBe(true);
    // the needle table's header again at the top of the second page
    expect(texts(1)).toContain('Verdict and reasons');
    // every needle's depth and every reason line drawn once
    for (let i = 0; i < 40; i++) expect(many.ops.filter((o) => o.kind === 'text' && o.text === `${50 + i}.3`).length).toBe(1);
    // a short table stays with its heading, wherever the page ends
    for (let k = 1; k <= 30; k++) {
      const l = layoutReport({ ...input(k), thresholds: Array.from({ length: 6 }, (_, i) => ({ label: `threshold ${i}`, value: String(i) })) }, measure);
      const pageOf = (t: string) => l.ops.find((o) => o.kind === 'text' && o.text === t)!.page;
      expect(pageOf('threshold 5'), `${k} needles`).toBe(pageOf('Thresholds used'));
    }
    // the image with a size is placed, the one without only has its caption
    expect(many.ops.filter((o) => o.kind === 'image').map((o) => (o as { image: number }).image)).toEqual([0]);
    const all = many.ops.filter((o) => o.kind === 'text').map((o) => (o as { text: string }).text).join('\n');
    expect(all).toContain('3D - view hidden');
    expect(all).toContain('Planning aid, not a medical device.');
    expect(all.replace(/\n/g, ' ')).toContain('diameter >= 20 mm met; 2 x foramina entered; 5 µm');
  });

  it('pdf-lib draws it: a PDF whose text holds the numbers', async () => {
    const d = { ...input(3), snapshot: {} as never };
    const bytes = await reportPdfBytes(d as never, []);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');
    if (!existsSync('/usr/bin/pdftotext')) return console.warn('[skip] poppler-utils not installed: the PDF text is not read');
    const dir = mkdtempSync(join(tmpdir(), 'sp-report-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), bytes);
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      for (const v of ['12.34', '13.01', '31.5', 'Denis 2', '50.3', '51.3', 'FAIL', 'PASS', 'DEMO^SACRUM', '>= 20 mm', 'Planning aid, not a medical device']) expect(text).toContain(v);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
