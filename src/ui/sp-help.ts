/** <sp-help>: keyboard shortcuts and mouse bindings. */
import { LitElement, html, css } from 'lit';
import { panelStyles } from './styles';

export const SHORTCUTS: [string, string][] = [
  ['C', 'Crosshair tool: click or drag sets the point in all views'],
  ['W', 'Window/level tool: drag horizontally for width, vertically for level'],
  ['P', 'Pan tool (or drag with the middle button)'],
  ['Z', 'Zoom tool (or drag with the right button; Ctrl+wheel)'],
  ['M', 'Distance ruler (mm)'],
  ['G', 'Grow a lesion: click inside it (3D region growing, bounded to 25 mm, kept inside bone); Shift-click adds another part (e.g. the sclerotic part of a mixed lesion) to the active lesion'],
  ['B / E', 'Brush / eraser (3D sphere) on the active lesion; [ and ] change the radius'],
  ['X', 'Box threshold: drag a rectangle; the voxels within the panel\'s HU window inside that box (as deep as its larger side) join the active lesion'],
  ['Ctrl+Z / Ctrl+Y', 'Undo / redo the last edit (lesions, landmarks, needles, thresholds)'],
  ['Ctrl+S', 'Save the case as a .sacroplan plan file'],
  ['1 / 2 / 3', 'Window presets: bone W2000/L500, soft tissue W400/L40, auto (histogram)'],
  ['Wheel, ↑ / ↓', 'Previous / next slice in the view under the mouse'],
  ['PageUp / PageDown', '10 slices back / forward'],
  ['R', 'Reset zoom and pan'],
  ['Delete', 'Clear distance measurements'],
  ['O', 'Open DICOM or NIfTI files'],
  ['Drag a marker', 'Crosshair tool: move a foramen or canal marker, or a needle\'s entry (square), target (circle) or shaft; the entry slides onto the skin and the checks follow'],
  ['Place by hand', 'Needle panel: click the skin entry, then the target, in any view'],
  ['3D view', 'Left drag orbits, right drag pans, wheel zooms; click the bone to move the crosshair; drag a needle\'s cube (entry) or sphere (target); ⤢ enlarges'],
  ['Esc', 'Cancel loading or placing, close this help'],
  ['? or H', 'Show or hide this help'],
];

export class SpHelp extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .backdrop { position: fixed; inset: 0; background: rgba(0, 0, 0, 0.6); display: grid; place-items: center; z-index: 20; }
      .box { background: #12161c; border: 1px solid #2c3540; border-radius: 8px; padding: 16px 20px; min-width: 460px; max-width: 640px; }
      table { border-collapse: collapse; width: 100%; }
      td { padding: 4px 8px; border-bottom: 1px solid #1d242d; vertical-align: top; }
      td:first-child { white-space: nowrap; font-family: ui-monospace, monospace; color: #e8c66a; }
      h2 { margin: 0 0 8px; font-size: 16px; }
    `,
  ];

  private close(): void {
    this.dispatchEvent(new CustomEvent('sp-close', { bubbles: true, composed: true }));
  }

  override render() {
    return html`<div class="backdrop" @click=${this.close}>
      <div class="box" role="dialog" aria-label="Keyboard shortcuts" @click=${(e: Event) => e.stopPropagation()}>
        <h2>Keyboard shortcuts and mouse</h2>
        <table>${SHORTCUTS.map(([k, d]) => html`<tr><td>${k}</td><td>${d}</td></tr>`)}</table>
        <p class="muted">Coordinates are DICOM patient LPS in millimetres (+x left, +y posterior, +z superior).</p>
        <button @click=${this.close}>Close</button>
      </div>
    </div>`;
  }
}
customElements.define('sp-help', SpHelp);
