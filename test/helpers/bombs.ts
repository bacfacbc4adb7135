/**
 * Decompression bombs built in milliseconds: a raw DEFLATE stream of `prefix` then `zeroBytes` zeros,
 * made of one byte-aligned, dictionary-free block for 1 MiB of zeros (Z_FULL_FLUSH) repeated, so a
 * 4 GB bomb costs ~4 MB and no compression time. The gzip trailer's CRC is left 0: a budgeted
 * inflater must refuse long before it reaches the end.
 */
import { deflateRawSync, constants } from 'node:zlib';

const MIB = 1 << 20;
let zeroBlock: Buffer | null = null;

export function deflateRawBomb(prefix: Uint8Array, zeroBytes: number): Uint8Array {
  zeroBlock ??= deflateRawSync(Buffer.alloc(MIB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const head = deflateRawSync(Buffer.from(prefix), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const blocks = Math.floor(zeroBytes / MIB);
  const rest = deflateRawSync(Buffer.alloc(zeroBytes - blocks * MIB), { level: 9 }); // final block
  const out = new Uint8Array(head.length + blocks * zeroBlock.length + rest.length);
  out.set(head, 0);
  let at = head.length;
  for (let i = 0; i < blocks; i++, at += zeroBlock.length) out.set(zeroBlock, at);
  out.set(rest, at);
  return out;
}

export function gzipBomb(prefix: Uint8Array, zeroBytes: number): Uint8Array {
  const body = deflateRawBomb(prefix, zeroBytes);
  const out = new Uint8Array(10 + body.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], 0);
  out.set(body, 10);
  const size = (prefix.length + zeroBytes) >>> 0;
  new DataView(out.buffer).setUint32(10 + body.length + 4, size, true);
  return out;
}
