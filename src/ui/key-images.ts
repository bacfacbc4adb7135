/**
 * Key images for the report, taken from the views as they are on screen: the axial view (its
 * image canvas with the SVG overlay of crosshair, landmarks, needles and labels drawn on top, and
 * its title and slice as a caption), the 3D view (its WebGL canvas keeps its drawing buffer) and
 * the simulated fluoroscopy panes side by side. A view that is not shown gives no picture and says
 * why.
 */
import type { KeyImage } from '../app/report';

const SVG_STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity', 'font-size', 'font-family', 'font-weight', 'text-anchor', 'dominant-baseline', 'paint-order', 'visibility', 'display'];

function shadow(root: ParentNode | null | undefined, selector: string): Element | null {
  return (root as Element | null)?.shadowRoot?.querySelector(selector) ?? null;
}

/** The overlay as a standalone SVG image: computed styles inlined (its CSS lives in a shadow root). */
async function svgImage(svg: SVGSVGElement, width: number, height: number): Promise<HTMLImageElement> {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  for (let i = 0; i < src.length; i++) {
    const cs = getComputedStyle(src[i]!);
    (dst[i] as SVGElement).setAttribute('style', SVG_STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';'));
  }
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(clone))}`;
  await img.decode();
  return img;
}

async function axialImage(app: Element): Promise<KeyImage> {
  const base = { id: 'mpr' as const, title: 'Axial view with overlays' };
  const pane = shadow(shadow(app, 'sp-viewer'), '.pane.axial') as HTMLElement | null;
  const canvases = pane ? [...pane.querySelectorAll<HTMLCanvasElement>('.cs canvas')] : [];
  if (!pane || canvases.length === 0) return { ...base, dataUrl: null, note: 'no image is shown' };
  const rect = pane.getBoundingClientRect();
  const scale = Math.min(2, window.devicePixelRatio || 1);
  const out = document.createElement('canvas');
  out.width = Math.round(rect.width * scale);
  out.height = Math.round(rect.height * scale);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, out.width, out.height);
  for (const c of canvases) {
    const r = c.getBoundingClientRect();
    ctx.drawImage(c, (r.left - rect.left) * scale, (r.top - rect.top) * scale, r.width * scale, r.height * scale);
  }
  const svg = pane.querySelector<SVGSVGElement>('svg.overlay');
  if (svg) ctx.drawImage(await svgImage(svg, rect.width, rect.height), 0, 0, out.width, out.height);
  const caption = (pane.querySelector('.corner.tl')?.textContent ?? '').replace(/\s+/g, ' ').trim();
  if (caption) {
    ctx.font = `${12 * scale}px sans-serif`;
    ctx.fillStyle = 'rgba(8,12,18,0.7)';
    ctx.fillRect(0, 0, ctx.measureText(caption).width + 12 * scale, 20 * scale);
    ctx.fillStyle = '#e6ebf0';
    ctx.fillText(caption, 6 * scale, 14 * scale);
  }
  return { ...base, dataUrl: out.toDataURL('image/png'), note: caption };
}

function scene3dImage(app: Element): KeyImage {
  const base = { id: '3d' as const, title: '3D view' };
  const canvas = shadow(shadow(app, 'sp-scene-3d'), 'canvas') as HTMLCanvasElement | null;
  if (!canvas || canvas.width === 0) return { ...base, dataUrl: null, note: 'not shown (switch on "3D + fluoro")' };
  return { ...base, dataUrl: canvas.toDataURL('image/png'), note: '' };
}

function fluoroImage(app: Element): KeyImage {
  const base = { id: 'fluoro' as const, title: 'Simulated fluoroscopy' };
  const host = shadow(app, 'sp-fluoro');
  const canvases = host?.shadowRoot ? [...host.shadowRoot.querySelectorAll<HTMLCanvasElement>('canvas')].filter((c) => c.width > 0) : [];
  if (canvases.length === 0) return { ...base, dataUrl: null, note: 'not shown (switch on "3D + fluoro")' };
  const h = Math.max(...canvases.map((c) => c.height));
  const out = document.createElement('canvas');
  out.width = canvases.reduce((a, c) => a + Math.round((c.width * h) / c.height), 0) + 4 * (canvases.length - 1);
  out.height = h;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  let x = 0;
  for (const c of canvases) {
    const w = Math.round((c.width * h) / c.height);
    ctx.drawImage(c, x, 0, w, h);
    x += w + 4;
  }
  const views = canvases.map((c) => c.getAttribute('aria-label')?.replace(/ simulated fluoroscopy$/, '') ?? '').filter(Boolean);
  return { ...base, dataUrl: out.toDataURL('image/png'), note: views.join(', ') };
}

/** The three key images of the open case, as shown now. */
export async function captureKeyImages(): Promise<KeyImage[]> {
  const app = document.querySelector('sp-app');
  if (!app) return [];
  const images: KeyImage[] = [];
  try {
    images.push(await axialImage(app));
  } catch (err) {
    images.push({ id: 'mpr', title: 'Axial view with overlays', dataUrl: null, note: `could not be taken: ${(err as Error).message}` });
  }
  images.push(scene3dImage(app), fluoroImage(app));
  return images;
}
