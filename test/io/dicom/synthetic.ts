/** A minimal DICOM writer for loader tests (explicit or implicit VR little endian, or big endian). */
export interface SliceSpec {
  rows: number;
  columns: number;
  pixels: Int16Array | Uint16Array;
  ipp?: number[] | null;
  iop?: number[] | null;
  pixelSpacing?: number[] | null;
  slope?: number;
  intercept?: number;
  seriesUid?: string;
  sopUid?: string;
  instanceNumber?: number;
  modality?: string;
  patientName?: string;
  transferSyntax?: '1.2.840.10008.1.2.1' | '1.2.840.10008.1.2' | '1.2.840.10008.1.2.2';
}

const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

export function writeDicom(s: SliceSpec): Uint8Array<ArrayBuffer> {
  const ts = s.transferSyntax ?? '1.2.840.10008.1.2.1';
  const parts: Uint8Array[] = [];
  const push = (b: Uint8Array): void => {
    parts.push(b);
  };
  function el(group: number, element: number, vr: string, body: Uint8Array, explicit: boolean, little: boolean): void {
    if (body.length % 2) {
      const p = new Uint8Array(body.length + 1);
      p.set(body);
      p[body.length] = vr === 'UI' ? 0 : 0x20;
      body = p;
    }
    const long = LONG.has(vr);
    const head = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, group, little);
    dv.setUint16(2, element, little);
    if (!explicit) dv.setUint32(4, body.length, little);
    else {
      head[4] = vr.charCodeAt(0);
      head[5] = vr.charCodeAt(1);
      if (long) dv.setUint32(8, body.length, little);
      else dv.setUint16(6, body.length, little);
    }
    push(head);
    push(body);
  }
  const text = (v: string): Uint8Array => new TextEncoder().encode(v);
  const us = (v: number, little: boolean): Uint8Array => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, little);
    return b;
  };
  // Meta
  const preamble = new Uint8Array(132);
  preamble.set(text('DICM'), 128);
  push(preamble);
  el(0x0002, 0x0010, 'UI', text(ts), true, true);
  const explicit = ts !== '1.2.840.10008.1.2';
  const little = ts !== '1.2.840.10008.1.2.2';
  const E = (g: number, e: number, vr: string, body: Uint8Array): void => el(g, e, vr, body, explicit, little);
  const ds = (v: number[]): Uint8Array => text(v.map((x) => String(Number(x.toPrecision(12)))).join('\\'));
  E(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.2'));
  E(0x0008, 0x0018, 'UI', text(s.sopUid ?? `2.25.${Math.floor(Math.random() * 1e15)}`));
  E(0x0008, 0x0060, 'CS', text(s.modality ?? 'CT'));
  E(0x0010, 0x0010, 'PN', text(s.patientName ?? 'TEST^SYNTH'));
  E(0x0020, 0x000e, 'UI', text(s.seriesUid ?? '2.25.1'));
  E(0x0020, 0x0013, 'IS', text(String(s.instanceNumber ?? 1)));
  if (s.ipp) E(0x0020, 0x0032, 'DS', ds(s.ipp));
  if (s.iop) E(0x0020, 0x0037, 'DS', ds(s.iop));
  E(0x0028, 0x0002, 'US', us(1, little));
  E(0x0028, 0x0004, 'CS', text('MONOCHROME2'));
  E(0x0028, 0x0010, 'US', us(s.rows, little));
  E(0x0028, 0x0011, 'US', us(s.columns, little));
  if (s.pixelSpacing) E(0x0028, 0x0030, 'DS', ds(s.pixelSpacing));
  E(0x0028, 0x0100, 'US', us(16, little));
  E(0x0028, 0x0101, 'US', us(16, little));
  E(0x0028, 0x0103, 'US', us(s.pixels instanceof Int16Array ? 1 : 0, little));
  E(0x0028, 0x1052, 'DS', ds([s.intercept ?? 0]));
  E(0x0028, 0x1053, 'DS', ds([s.slope ?? 1]));
  const px = new Uint8Array(s.pixels.length * 2);
  const dv = new DataView(px.buffer);
  for (let i = 0; i < s.pixels.length; i++) {
    if (s.pixels instanceof Int16Array) dv.setInt16(i * 2, s.pixels[i]!, little);
    else dv.setUint16(i * 2, s.pixels[i]!, little);
  }
  E(0x7fe0, 0x0010, 'OW', px);
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface StackSpec {
  rows: number;
  columns: number;
  n: number;
  rowCos: number[];
  colCos: number[];
  /** Position of slice k (before any shuffling). */
  position: (k: number) => number[];
  pixelSpacing?: number[] | null;
  value: (i: number, j: number, k: number) => number;
  unsigned?: boolean;
  slope?: number;
  intercept?: number;
  transferSyntax?: SliceSpec['transferSyntax'];
  /** File order: default reversed and interleaved so that names never match positions. */
  order?: number[];
}

export function makeStack(spec: StackSpec): File[] {
  const order = spec.order ?? Array.from({ length: spec.n }, (_, k) => (k * 7 + 3) % spec.n);
  return order.map((k, f) => {
    const px = spec.unsigned ? new Uint16Array(spec.rows * spec.columns) : new Int16Array(spec.rows * spec.columns);
    for (let j = 0; j < spec.rows; j++) for (let i = 0; i < spec.columns; i++) px[j * spec.columns + i] = spec.value(i, j, k);
    const bytes = writeDicom({
      rows: spec.rows, columns: spec.columns, pixels: px, ipp: spec.position(k), iop: [...spec.rowCos, ...spec.colCos],
      pixelSpacing: spec.pixelSpacing === undefined ? [0.6, 0.9] : spec.pixelSpacing, slope: spec.slope, intercept: spec.intercept,
      sopUid: `2.25.99${k}`, instanceNumber: spec.n - k, transferSyntax: spec.transferSyntax,
    });
    return new File([bytes], `f${String(f).padStart(3, '0')}.dcm`);
  });
}
