/**
 * Label placement over a 2D view (pure): each label has an anchor (a needle's entry, a foramen's
 * ring) and a few candidate positions around it, in order of preference; labels are placed one
 * after the other (the caller's order is the priority) at the first candidate that stays inside the
 * pane and overlaps neither a label already placed nor an obstacle (the corner readouts and the
 * orientation letters). When every candidate collides, the one with the least overlap wins, so a
 * label is never dropped. Greedy placement of this kind is the usual cartographic first pass
 * (Christensen, Marks & Shieber, ACM TOG 1995, "An empirical study of algorithms for point-feature
 * label placement").
 */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LabelRequest {
  id: string;
  w: number;
  h: number;
  /** Top-left corners to try, best first (canvas px). */
  candidates: readonly (readonly [number, number])[];
}

function overlap(a: Rect, b: Rect): number {
  const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return ox > 0 && oy > 0 ? ox * oy : 0;
}

/** Places the labels in order; returns each label's box (top-left and size). */
export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly Rect[], bounds: Rect): Map<string, Rect> {
  const placed: Rect[] = [];
  const out = new Map<string, Rect>();
  for (const r of requests) {
    let best: Rect | null = null, bestCost = Infinity;
    for (const [x, y] of r.candidates) {
      const box: Rect = { x, y, w: r.w, h: r.h };
      const outside = Math.max(0, bounds.x - x) + Math.max(0, x + r.w - (bounds.x + bounds.w)) + Math.max(0, bounds.y - y) + Math.max(0, y + r.h - (bounds.y + bounds.h));
      let cost = outside * 1000;
      for (const p of placed) cost += overlap(box, p);
      for (const o of obstacles) cost += overlap(box, o);
      if (cost < bestCost) { best = box; bestCost = cost; }
      if (cost === 0) break;
    }
    if (!best) continue;
    placed.push(best);
    out.set(r.id, best);
  }
  return out;
}

/** Width of a label in px for an 11 px system-ui font (≈ 0.6 em per character, plus the 3 px halo). */
export function labelWidthPx(text: string, fontPx = 11): number {
  return Math.ceil(text.length * fontPx * 0.6 + 3);
}
