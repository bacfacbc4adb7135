/**
 * DICOM files with hostile values, built in code (never committed): any text in PixelSpacing or
 * RescaleSlope, colour photometrics, Deflated transfer syntax with a bomb after the pixel data,
 * encapsulated (JPEG) frames with arbitrary bytes. Explicit VR little endian data sets.
 */
import { deflateRawBomb } from './bombs';

export interface HostileSpec {
  rows?: number;
  columns?: number;
  /** Text values, written as given (e.g. '1e9\\1e9', 'NaN'); null leaves the element out. */
  pixelSpacing?: string | null;
  slope?: string;
  intercept?: string;
  ipp?: string;
  iop?: string;
  seriesUid?: string;
  sopUid?: string;
  instanceNumber?: number;
  photometric?: string;
  samplesPerPixel?: number;
  /** 'explicit' (default), 'deflated', or an encapsulated transfer syntax UID with `frame` as its one fragment. */
  transferSyntax?: 'explicit' | 'deflated' | string;
  frame?: Uint8Array;
  /** Deflated only: zero bytes of (FFFC,FFFC) trailing padding after the pixel data (the bomb). */
  trailingZeros?: number;
  modality?: string;
  /** Native pixel data of this many bytes instead of Rows × Columns × 2 (a header that lies). */
  pixelDataBytes?: number;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function element(group: number, elem: number, vr: string, body: Uint8Array, lengthOverride?: number): Uint8Array {
  if (body.length % 2 && lengthOverride === undefined) {
    const p = new Uint8Array(body.length + 1);
    p.set(body);
    p[body.length] = vr === 'UI' || vr === 'OB' ? 0 : 0x20;
    body = p;
  }
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, group, true);
  dv.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, lengthOverride ?? body.length, true);
  else dv.setUint16(6, body.length, true);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const cat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const us = (v: number): Uint8Array => new Uint8Array([v & 0xff, v >> 8]);

export function hostileDicom(s: HostileSpec = {}): Uint8Array {
  const rows = s.rows ?? 16, columns = s.columns ?? 16;
  const spp = s.samplesPerPixel ?? 1;
  const tsName = s.transferSyntax ?? 'explicit';
  const ts = tsName === 'explicit' ? '1.2.840.10008.1.2.1' : tsName === 'deflated' ? '1.2.840.10008.1.2.1.99' : tsName;
  const encapsulated = tsName !== 'explicit' && tsName !== 'deflated';
  const preamble = new Uint8Array(132);
  preamble.set(enc('DICM'), 128);
  const meta = element(0x0002, 0x0010, 'UI', enc(ts));
  const ds: Uint8Array[] = [
    element(0x0008, 0x0016, 'UI', enc('1.2.840.10008.5.1.4.1.1.2')),
    element(0x0008, 0x0018, 'UI', enc(s.sopUid ?? `2.25.${Math.floor(Math.random() * 1e15)}`)),
    element(0x0008, 0x0060, 'CS', enc(s.modality ?? 'CT')),
    element(0x0010, 0x0010, 'PN', enc('HOSTILE^TEST')),
    element(0x0020, 0x000e, 'UI', enc(s.seriesUid ?? '2.25.777')),
    element(0x0020, 0x0013, 'IS', enc(String(s.instanceNumber ?? 1))),
    element(0x0020, 0x0032, 'DS', enc(s.ipp ?? '0\\0\\0')),
    element(0x0020, 0x0037, 'DS', enc(s.iop ?? '1\\0\\0\\0\\1\\0')),
    element(0x0028, 0x0002, 'US', us(spp)),
    element(0x0028, 0x0004, 'CS', enc(s.photometric ?? 'MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(rows)),
    element(0x0028, 0x0011, 'US', us(columns)),
  ];
  if (s.pixelSpacing !== null) ds.push(element(0x0028, 0x0030, 'DS', enc(s.pixelSpacing ?? '0.8\\0.8')));
  ds.push(
    element(0x0028, 0x0100, 'US', us(spp === 3 ? 8 : 16)),
    element(0x0028, 0x0101, 'US', us(spp === 3 ? 8 : 12)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x0028, 0x1052, 'DS', enc(s.intercept ?? '-1024')),
    element(0x0028, 0x1053, 'DS', enc(s.slope ?? '1')),
  );
  if (encapsulated) {
    const frame = s.frame ?? new Uint8Array(64);
    const items = cat([
      new Uint8Array([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]), // empty Basic Offset Table
      new Uint8Array([0xfe, 0xff, 0x00, 0xe0, ...new Uint8Array(new Uint32Array([frame.length + (frame.length % 2)]).buffer)]),
      frame.length % 2 ? cat([frame, new Uint8Array(1)]) : frame,
      new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    ds.push(element(0x7fe0, 0x0010, 'OB', items, 0xffffffff));
  } else {
    const px = new Uint8Array(s.pixelDataBytes ?? rows * columns * spp * (spp === 3 ? 1 : 2));
    for (let i = 0; i < px.length; i += 2) px[i] = (i * 13) & 0xff;
    ds.push(element(0x7fe0, 0x0010, spp === 3 ? 'OB' : 'OW', px));
  }
  if (tsName === 'deflated') {
    const zeros = s.trailingZeros ?? 0;
    const body = cat(zeros > 0 ? [...ds, element(0xfffc, 0xfffc, 'OB', new Uint8Array(0), zeros)] : ds);
    return cat([preamble, meta, deflateRawBomb(body, zeros)]);
  }
  return cat([preamble, meta, ...ds]);
}

/** A stack of `n` slices 1 mm apart (or `stepMm`) sharing one series, as File objects. */
export function hostileStack(n: number, spec: HostileSpec & { stepMm?: number } = {}): File[] {
  return Array.from({ length: n }, (_, k) => {
    const bytes = hostileDicom({ ...spec, ipp: `0\\0\\${k * (spec.stepMm ?? 1)}`, sopUid: `2.25.555${k}`, instanceNumber: k + 1 });
    return new File([bytes as Uint8Array<ArrayBuffer>], `slice${k}.dcm`);
  });
}
