/** Whole-grid image operations of landmark detection: 2D holes of a mask, border flood, box mean. */

/** Holes of a mask within 2D slices perpendicular to `axis` (0 = x, 1 = y, 2 = z): background not 4-connected to the slice border. */
export function holes2d(mask: Uint8Array, dims: readonly [number, number, number], axis: 0 | 1 | 2): Uint8Array {
  const [na, nb] = dims;
  const strides = [1, na, na * nb];
  const axes = ([0, 1, 2] as const).filter((x) => x !== axis);
  const u = axes[0]!, v = axes[1]!;
  const nu = dims[u], nv = dims[v], su = strides[u]!, sv = strides[v]!, st = strides[axis]!;
  const out = new Uint8Array(mask.length);
  // each plane copied with a one-pixel wall (1) round it: 0 = background not reached, 1 = mask or
  // wall, 2 = reached from the plane's edge; the flood then needs no bounds checks
  const pu = nu + 2;
  const P = new Uint8Array(pu * (nv + 2));
  const queue = new Int32Array(nu * nv);
  for (let t = 0; t < dims[axis]; t++) {
    const base = t * st;
    P.fill(1);
    for (let y = 0; y < nv; y++) for (let x = 0, o = base + y * sv, q = 1 + pu * (y + 1); x < nu; x++, o += su, q++) P[q] = mask[o] ? 1 : 0;
    let head = 0, tail = 0;
    const seed = (x: number, y: number) => { const q = x + 1 + pu * (y + 1); if (P[q] === 0) { P[q] = 2; queue[tail++] = q; } };
    for (let x = 0; x < nu; x++) { seed(x, 0); seed(x, nv - 1); }
    for (let y = 0; y < nv; y++) { seed(0, y); seed(nu - 1, y); }
    while (head < tail) {
      const q = queue[head++]!;
      let m: number;
      if (P[m = q - 1] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q + 1] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q - pu] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q + pu] === 0) { P[m] = 2; queue[tail++] = m; }
    }
    for (let y = 0; y < nv; y++) for (let x = 0, o = base + y * sv, q = 1 + pu * (y + 1); x < nu; x++, o += su, q++) if (P[q] === 0) out[o] = 1;
  }
  return out;
}

/**
 * Marks in `reached` (cleared first) the pixels of an nu × nv plane (u fastest) that are not `blocked`
 * and connect to the plane's border through unblocked 4-neighbours. `queue`: scratch of nu·nv.
 */
export function floodFromBorder2d(blocked: Uint8Array, nu: number, nv: number, reached: Uint8Array, queue: Int32Array): void {
  reached.fill(0);
  let head = 0, tail = 0;
  const push = (k: number) => { if (!reached[k] && !blocked[k]) { reached[k] = 1; queue[tail++] = k; } };
  for (let iu = 0; iu < nu; iu++) { push(iu); push(iu + nu * (nv - 1)); }
  for (let iv = 0; iv < nv; iv++) { push(nu * iv); push(nu - 1 + nu * iv); }
  while (head < tail) {
    const k = queue[head++]!;
    const iu = k % nu, iv = (k / nu) | 0;
    if (iu > 0) push(k - 1);
    if (iu < nu - 1) push(k + 1);
    if (iv > 0) push(k - nu);
    if (iv < nv - 1) push(k + nu);
  }
}

/** Separable box mean of radius r voxels (edges clamped). */
export function boxMean(v: Float32Array, dims: readonly [number, number, number], r: number): Float32Array {
  const [na, nb, nc] = dims;
  const nab = na * nb;
  // divisor per position along an axis: the number of samples of the window inside the grid
  const counts = (len: number): Float64Array => Float64Array.from({ length: len }, (_, t) => Math.min(len - 1, t + r) - Math.max(0, t - r) + 1);
  // axis a: a sliding sum along each contiguous row
  const outA = new Float32Array(v.length);
  const ca = counts(na);
  for (let row = 0; row < nb * nc; row++) {
    const base = row * na;
    let sum = 0;
    for (let t = 0; t < Math.min(r, na); t++) sum += v[base + t]!;
    for (let t = 0; t < na; t++) {
      if (t + r < na) sum += v[base + t + r]!;
      if (t - r - 1 >= 0) sum -= v[base + t - r - 1]!;
      outA[base + t] = sum / ca[t]!;
    }
  }
  // axes b and c: the window slides over whole rows (b) or whole slices (c) at once, so that every
  // read is contiguous
  const slide = (src: Float32Array, dst: Float32Array, len: number, stride: number, width: number, outer: number, outerStride: number): void => {
    const acc = new Float64Array(width);
    const cl = counts(len);
    for (let u = 0; u < outer; u++) {
      const o0 = u * outerStride;
      acc.fill(0);
      for (let t = 0; t < Math.min(r, len); t++) for (let x = 0, o = o0 + t * stride; x < width; x++, o++) acc[x] = acc[x]! + src[o]!;
      for (let t = 0; t < len; t++) {
        if (t + r < len) for (let x = 0, o = o0 + (t + r) * stride; x < width; x++, o++) acc[x] = acc[x]! + src[o]!;
        if (t - r - 1 >= 0) for (let x = 0, o = o0 + (t - r - 1) * stride; x < width; x++, o++) acc[x] = acc[x]! - src[o]!;
        const inv = 1 / cl[t]!;
        for (let x = 0, o = o0 + t * stride; x < width; x++, o++) dst[o] = acc[x]! * inv;
      }
    }
  };
  const outB = new Float32Array(v.length);
  slide(outA, outB, nb, na, na, nc, nab);
  const outC = new Float32Array(v.length);
  slide(outB, outC, nc, nab, nab, 1, 0);
  return outC;
}
