/** UIDs and Decimal String values for the SEG writer. Pure. */
import { UUID_ROOT } from './codes';

/** A fresh UID: "2.25." + 128 random bits as a decimal integer (PS3.5 B.2). */
export function randomUid(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return UUID_ROOT + bytesToDecimal(b);
}

/**
 * A UID that is always the same for the same text: "2.25." + 128 bits of a hash of it. For images
 * without DICOM identity (the demo, NIfTI): their SEG's frame of reference is tied to the voxel grid,
 * so a SEG re-imports on the same grid and nowhere else. Hash: two FNV-1a 64-bit passes with
 * different offsets (not cryptographic; collisions only need to be unlikely between grids).
 */
export function uidFromText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const fnv = (seed: bigint): bigint => {
    let h = seed;
    for (const x of bytes) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
    return h;
  };
  const hi = fnv(0xcbf29ce484222325n), lo = fnv(0x84222325cbf29ce4n);
  const n = (hi << 64n) | lo;
  return UUID_ROOT + n.toString(10);
}

function bytesToDecimal(b: Uint8Array): string {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n.toString(10);
}

/** A number as a DICOM Decimal String (at most 16 characters, PS3.5 6.2), as precise as fits. */
export function formatDS(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  if (Math.abs(v) < 1e-12) return '0';
  for (let p = 15; p >= 1; p--) {
    let s = v.toPrecision(p);
    if (s.includes('e')) s = String(Number(s));
    if (s.includes('.') && !s.includes('e')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    if (s.length <= 16) return s;
  }
  return v.toExponential(8);
}
