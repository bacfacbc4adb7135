#!/usr/bin/env node
/**
 * Writes a synthetic uncompressed CT series for benchmarks: N files of explicit-VR little-endian
 * int16 slices (default 512×512×300, ~157 MB), shuffled file names, with a smooth body-like
 * pattern so compressors and viewers see realistic values.
 *   node bench/make-series.mjs OUT_DIR [cols rows slices]
 */
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [out = '/tmp/sacroplan-bench/ct512x300', c = '512', r = '512', s = '300'] = process.argv.slice(2);
const cols = +c, rows = +r, slices = +s;
if (existsSync(out) && readdirSync(out).filter((n) => n.endsWith('.dcm')).length === slices) {
  console.log(`${out}: already there`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });

function el(group, element, vr, value) {
  let body;
  if (value instanceof Uint8Array) body = value;
  else {
    let str = String(value);
    const pad = vr === 'UI' ? '\0' : ' ';
    if (str.length % 2) str += pad;
    body = new TextEncoder().encode(str);
  }
  const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, group, true);
  dv.setUint16(2, element, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, body.length, true);
  else dv.setUint16(6, body.length, true);
  return [head, body];
}
function us(group, element, v) {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, true);
  return el(group, element, 'US', b);
}
function concat(parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const outb = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { outb.set(p, o); o += p.length; }
  return outb;
}

const studyUid = '1.2.826.0.1.3680043.8.498.1000001';
const seriesUid = '1.2.826.0.1.3680043.8.498.1000002';
const forUid = '1.2.826.0.1.3680043.8.498.1000003';
const spacing = 0.78125, dz = 1.0;
const names = Array.from({ length: slices }, (_, k) => k);
// Deterministic shuffle of file names.
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
for (let i = names.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [names[i], names[j]] = [names[j], names[i]]; }

const pixels = new Int16Array(cols * rows);
for (let k = 0; k < slices; k++) {
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const x = (i - cols / 2) / (cols / 2), y = (j - rows / 2) / (rows / 2);
      const rr = x * x / 0.8 + y * y / 0.5;
      let hu = rr < 1 ? 40 + 20 * Math.sin(i * 0.05 + k * 0.1) : -1000;
      if (rr < 0.15) hu = 300 + ((i * 7 + j * 13 + k) % 50);
      pixels[j * cols + i] = hu + 1024; // stored, intercept -1024
    }
  }
  const sop = `1.2.826.0.1.3680043.8.498.2${String(k).padStart(6, '0')}`;
  const z = -300 + k * dz;
  const pix = new Uint8Array(pixels.buffer.slice(0));
  const meta = [
    el(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    el(0x0002, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    el(0x0002, 0x0003, 'UI', sop),
    el(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.1'),
    el(0x0002, 0x0012, 'UI', '1.2.826.0.1.3680043.8.498.1'),
  ].flat();
  const metaBytes = concat(meta);
  const gl = new Uint8Array(4);
  new DataView(gl.buffer).setUint32(0, metaBytes.length, true);
  const ds = [
    el(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    el(0x0008, 0x0018, 'UI', sop),
    el(0x0008, 0x0060, 'CS', 'CT'),
    el(0x0008, 0x103e, 'LO', 'BENCH 512x512x300'),
    el(0x0010, 0x0010, 'PN', 'BENCH^SERIES'),
    el(0x0018, 0x0050, 'DS', '1.0'),
    el(0x0020, 0x000d, 'UI', studyUid),
    el(0x0020, 0x000e, 'UI', seriesUid),
    el(0x0020, 0x0011, 'IS', '1'),
    el(0x0020, 0x0013, 'IS', String(k + 1)),
    el(0x0020, 0x0032, 'DS', `-199.609375\\-199.609375\\${z}`),
    el(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0'),
    el(0x0020, 0x0052, 'UI', forUid),
    us(0x0028, 0x0002, 1),
    el(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    us(0x0028, 0x0010, rows),
    us(0x0028, 0x0011, cols),
    el(0x0028, 0x0030, 'DS', `${spacing}\\${spacing}`),
    us(0x0028, 0x0100, 16),
    us(0x0028, 0x0101, 16),
    us(0x0028, 0x0102, 15),
    us(0x0028, 0x0103, 1),
    el(0x0028, 0x1050, 'DS', '40'),
    el(0x0028, 0x1051, 'DS', '400'),
    el(0x0028, 0x1052, 'DS', '-1024'),
    el(0x0028, 0x1053, 'DS', '1'),
    el(0x7fe0, 0x0010, 'OW', pix),
  ].flat();
  const file = concat([new Uint8Array(128), new TextEncoder().encode('DICM'), ...el(0x0002, 0x0000, 'UL', gl), metaBytes, ...ds]);
  writeFileSync(join(out, `IM${String(names[k]).padStart(5, '0')}.dcm`), file);
}
console.log(`${out}: ${slices} files of ${cols}x${rows}`);
