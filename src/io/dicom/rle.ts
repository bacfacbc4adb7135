/**
 * DICOM RLE Lossless decoder (PS3.5 annex G): a 64-byte header with up to 15 segment offsets, each
 * segment a PackBits stream of one byte plane (most significant byte first). Output is little endian,
 * pixel-interleaved. Every read is bounds-checked; a short segment is an error, never zero padding.
 */
export function decodeRle(encoded: Uint8Array, rows: number, columns: number, bitsAllocated: number, samplesPerPixel: number): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1 || bytesPerSample > 4) throw new Error(`RLE: unsupported BitsAllocated ${bitsAllocated}`);
  if (encoded.length < 64) throw new Error('RLE: frame shorter than its 64-byte header');
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  const expectedSegments = bytesPerSample * samplesPerPixel;
  if (segments !== expectedSegments) throw new Error(`RLE: ${segments} segments, expected ${expectedSegments}`);
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expectedSegments);
  const stride = expectedSegments;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : encoded.length;
    if (start < 64 || start > encoded.length || end > encoded.length || end < start) throw new Error(`RLE: bad offset of segment ${s + 1}`);
    // segment s holds byte (bytesPerSample-1 - s % bytesPerSample) of sample floor(s / bytesPerSample)
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let p = start;
    while (written < pixels && p < end) {
      const n = (encoded[p++]! << 24) >> 24;
      if (n >= 0) {
        const count = n + 1;
        if (p + count > end || written + count > pixels) throw new Error(`RLE: literal run overflows segment ${s + 1}`);
        for (let i = 0; i < count; i++) { out[o] = encoded[p + i]!; o += stride; }
        p += count;
        written += count;
      } else if (n !== -128) {
        const count = 1 - n;
        if (p >= end || written + count > pixels) throw new Error(`RLE: replicate run overflows segment ${s + 1}`);
        const v = encoded[p++]!;
        for (let i = 0; i < count; i++) { out[o] = v; o += stride; }
        written += count;
      }
    }
    if (written < pixels) throw new Error(`RLE: segment ${s + 1} decodes to ${written} of ${pixels} bytes`);
  }
  return out;
}
