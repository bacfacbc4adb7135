/**
 * The report as a PDF, made in the page with pdf-lib (pure JavaScript): the layout of
 * io/report-layout.ts drawn on A4 pages in the standard Helvetica (real text, searchable), the key
 * images embedded as PNG. What `report()` returns and Report → Download PDF saves.
 */
import { PDFDocument, StandardFonts, rgb, type PDFImage } from 'pdf-lib';
import { layoutReport, A4_PT } from '../io/report-layout';
import type { ReportData, KeyImage } from './report';

function dataUrlBytes(dataUrl: string): Uint8Array | null {
  const m = /^data:image\/png;base64,(.*)$/s.exec(dataUrl);
  if (!m) return null;
  const bin = atob(m[1]!);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The PDF's bytes for the report data and key images (an image that cannot be embedded is named in its caption instead). */
export async function reportPdfBytes(d: ReportData, images: readonly KeyImage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('SacroPlan planning report');
  doc.setCreator('SacroPlan');
  doc.setProducer('SacroPlan (pdf-lib)');
  doc.setSubject('Planning aid, not a medical device');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const embedded: (PDFImage | null)[] = [];
  const notes: string[] = [];
  for (const k of images) {
    let img: PDFImage | null = null;
    let note = k.note;
    const bytes = k.dataUrl ? dataUrlBytes(k.dataUrl) : null;
    if (bytes) {
      try {
        img = await doc.embedPng(bytes);
      } catch (e) {
        note = `picture not embedded: ${(e as Error).message}`;
      }
    }
    embedded.push(img);
    notes.push(note);
  }
  const layout = layoutReport(
    {
      identifiers: d.identifiers, createdAt: d.createdAt, lesions: d.lesions, needles: d.needles, thresholds: d.thresholds,
      images: images.map((k, i) => ({ title: k.title, note: notes[i]!, widthPx: embedded[i]?.width ?? null, heightPx: embedded[i]?.height ?? null })),
    },
    (s, size, b) => (b ? bold : regular).widthOfTextAtSize(s, size),
  );
  const pages = Array.from({ length: layout.pageCount }, () => doc.addPage([A4_PT.width, A4_PT.height]));
  for (const op of layout.ops) {
    const p = pages[op.page]!;
    if (op.kind === 'text') p.drawText(op.text, { x: op.x, y: op.y, size: op.size, font: op.bold ? bold : regular, color: rgb(...op.rgb) });
    else if (op.kind === 'rect') {
      p.drawRectangle({
        x: op.x, y: op.y, width: op.width, height: op.height,
        ...(op.fill ? { color: rgb(...op.fill) } : {}),
        ...(op.stroke ? { borderColor: rgb(...op.stroke), borderWidth: op.lineWidth } : {}),
      });
    } else {
      const img = embedded[op.image];
      if (img) p.drawImage(img, { x: op.x, y: op.y, width: op.width, height: op.height });
    }
  }
  return doc.save();
}

export async function reportPdfBlob(d: ReportData, images: readonly KeyImage[]): Promise<Blob> {
  const bytes = await reportPdfBytes(d, images);
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' });
}
