/**
 * Order statistics without a full sort (pure).
 */

/**
 * The k-th smallest (0-based) of a[0..n) by quickselect (Hoare partition, expected O(n)); reorders a[0..n).
 * For NaN-free values it is the value that sorting a[0..n) ascending puts at k (equal values are equal numbers;
 * only −0 and 0 compare equal while differing, and they do not occur together in the callers' data).
 */
export function kthSmallest(a: { [i: number]: number; readonly length: number }, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const x = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < x) i++;
      while (a[j]! > x) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}
