/** Styles of <sp-viewer>: the panes' grid (wide and narrow), corner readouts, orientation letters. */
import { css } from 'lit';

export const viewerStyles = css`
  :host { display: grid; grid-template-columns: 3fr 2fr; grid-template-rows: 1fr 1fr; gap: 3px; background: #000; height: 100%; min-height: 0; position: relative; }
  .pane { position: relative; overflow: hidden; background: #000; min-height: 0; min-width: 0; outline: 1px solid #1b2027; container-type: size; }
  .pane.axial { grid-row: 1 / span 2; }
  /* Narrow (3D column shown): axial across the top, sagittal and coronal side by side below. */
  :host([narrow]) { grid-template-columns: 1fr 1fr; grid-template-rows: 3fr 2fr; }
  :host([narrow]) .pane.axial { grid-row: auto; grid-column: 1 / span 2; }
  .pane.active { outline-color: #35506b; }
  /* One view maximised: it covers the others (which keep their size, so their cameras are unchanged). */
  .pane.max { position: absolute; inset: 0; z-index: 4; }
  button.maximise { position: absolute; right: 6px; bottom: 6px; z-index: 2; background: rgba(20, 26, 34, 0.75); color: #cfd6df; border: 1px solid #2c3540; border-radius: 4px; font: 13px/1 system-ui, sans-serif; padding: 2px 5px; cursor: pointer; }
  button.maximise:hover { background: #27415c; }
  .cs { position: absolute; inset: 0; }
  svg.overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .label { position: absolute; font: 600 14px/1 system-ui, sans-serif; color: #e8c66a; text-shadow: 0 0 3px #000, 0 0 2px #000; pointer-events: none; }
  .l-left { left: 6px; top: 50%; transform: translateY(-50%); }
  .l-right { right: 6px; top: 50%; transform: translateY(-50%); }
  .l-top { top: 6px; left: 50%; transform: translateX(-50%); }
  .l-bottom { bottom: 6px; left: 50%; transform: translateX(-50%); }
  .corner { position: absolute; font: 12px/1.35 ui-monospace, 'DejaVu Sans Mono', monospace; color: #cfd6df; text-shadow: 0 0 3px #000, 0 0 2px #000; pointer-events: none; white-space: pre; background: rgba(8, 12, 18, 0.55); padding: 1px 4px; border-radius: 3px; }
  .tl { top: 6px; left: 8px; }
  .tr { top: 6px; right: 8px; text-align: right; }
  .bl { bottom: 6px; left: 8px; }
  .br { bottom: 6px; right: 8px; text-align: right; }
  .title { font-weight: 700; }
  .empty { position: absolute; inset: 0; display: grid; place-items: center; color: #5d6875; font-size: 14px; pointer-events: none; }
  .blocked { color: #ff9b7a; }
  /* Narrow panes (3D column shown): the corner readouts stack instead of overlapping. */
  @container (max-width: 380px) {
    .corner { font-size: 10.5px; }
    .tr { top: 36px; right: auto; left: 8px; text-align: left; }
    /* the top letter would sit on the stacked readouts: it moves to the top right, still on the top edge */
    .l-top { left: auto; right: 8px; transform: none; }
  }
`;
