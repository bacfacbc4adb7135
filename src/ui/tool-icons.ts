/**
 * 16 px line icons of the 2D tools, so that the toolbar holds every tool in one row at 1366 px. Each
 * button keeps the tool's name in its title and aria-label.
 */
import { svg, type SVGTemplateResult } from 'lit';
import type { ToolName } from '../app/store';

const ICONS: Record<ToolName, SVGTemplateResult> = {
  crosshair: svg`<path d="M8 1v5M8 10v5M1 8h5M10 8h5" /><circle cx="8" cy="8" r="1.2" fill="currentColor" />`,
  windowLevel: svg`<circle cx="8" cy="8" r="6" /><path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" />`,
  pan: svg`<path d="M8 1.5v13M1.5 8h13M8 1.5l-2 2M8 1.5l2 2M8 14.5l-2-2M8 14.5l2-2M1.5 8l2-2M1.5 8l2 2M14.5 8l-2-2M14.5 8l-2 2" />`,
  zoom: svg`<circle cx="6.5" cy="6.5" r="4.5" /><path d="M10 10l4.5 4.5M4.5 6.5h4M6.5 4.5v4" />`,
  ruler: svg`<path d="M1.5 11.5l10-10 3 3-10 10z" /><path d="M4.5 8.5l1.5 1.5M7 6l1.5 1.5M9.5 3.5l1.5 1.5" />`,
  regionGrow: svg`<circle cx="8" cy="8" r="1.8" fill="currentColor" /><circle cx="8" cy="8" r="6" stroke-dasharray="2.2 1.6" />`,
  brush: svg`<path d="M14 2l-6.5 6.5" /><path d="M7 9c-2.6-.4-4.3 1.4-4.5 4.5 3.1-.2 4.9-1.9 4.5-4.5z" fill="currentColor" />`,
  eraser: svg`<path d="M6 14l-4-4 7.5-7.5 5 5L9 14z" /><path d="M5 7l5 5M6 14h8.5" />`,
  thresholdBox: svg`<rect x="2.5" y="2.5" width="11" height="11" stroke-dasharray="2.5 1.5" /><path d="M5.5 10.5l5-5" />`,
  seeds: svg`<path d="M1.5 11c1.8-4 3.4-4 4.8 0s3.1 4 4.7 0c.8-2 1.8-3 3.5-3" />`,
  foramen: svg`<circle cx="8" cy="8" r="5.8" /><circle cx="8" cy="8" r="2.2" />`,
  canal: svg`<path d="M5 1.5c-1.6 4-1.6 9 0 13M11 1.5c1.6 4 1.6 9 0 13" />`,
};

export function toolIcon(tool: ToolName) {
  return svg`<svg class="icon" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[tool]}</svg>`;
}
