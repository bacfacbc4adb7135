/** A NIfTI-1 single-file header (352 bytes) for tests: dims, datatype, spacing, an sform. */
export interface NiftiHeaderSpec {
  dims: number[]; // 3 or 4 values
  datatype?: number; // default 4 (int16)
  bitpix?: number;
  pixdim?: [number, number, number];
  /** 12 numbers, row-major ijk → RAS; default diag(pixdim). */
  sform?: number[];
  slope?: number;
  inter?: number;
  /** 'n+1' (default), or '\0\0\0' for an Analyze 7.5 header. */
  magic?: string;
}

export function niftiHeader(o: NiftiHeaderSpec): Uint8Array {
  const buf = new ArrayBuffer(352);
  const dv = new DataView(buf);
  dv.setInt32(0, 348, true);
  dv.setInt16(40, o.dims.length, true);
  for (let i = 0; i < 7; i++) dv.setInt16(42 + i * 2, o.dims[i] ?? 1, true);
  dv.setInt16(70, o.datatype ?? 4, true);
  dv.setInt16(72, o.bitpix ?? 16, true);
  const pd = o.pixdim ?? [1, 1, 1];
  dv.setFloat32(76, 1, true);
  pd.forEach((p, i) => dv.setFloat32(80 + i * 4, p, true));
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, o.slope ?? 0, true);
  dv.setFloat32(116, o.inter ?? 0, true);
  dv.setUint8(123, 2);
  const sform = o.sform ?? [pd[0], 0, 0, 0, 0, pd[1], 0, 0, 0, 0, pd[2], 0];
  dv.setInt16(254, 2, true);
  sform.forEach((v, i) => dv.setFloat32(280 + i * 4, v, true));
  const magic = o.magic ?? 'n+1';
  for (let i = 0; i < 3; i++) dv.setUint8(344 + i, magic.charCodeAt(i));
  return new Uint8Array(buf);
}

/** Header + voxels (int16 values, or zeros). */
export function niftiFile(o: NiftiHeaderSpec, values?: ArrayLike<number>): Uint8Array {
  const h = niftiHeader(o);
  const n = o.dims.slice(0, 3).reduce((a, b) => a * b, 1);
  const out = new Uint8Array(352 + n * 2);
  out.set(h);
  if (values) {
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setInt16(352 + i * 2, values[i] ?? 0, true);
  }
  return out;
}
