/**
 * <sp-app>: the application shell. Toolbar, sidebar (case, series, files, messages), the
 * three views, the loading bar, drag-and-drop of files and folders, and keyboard shortcuts.
 */
import { scanPosition } from '../planning/position';
import { LitElement, html, css, nothing } from 'lit';
import * as actions from '../app/actions';
import type { AppState, ToolName } from '../app/store';
import type { FileLike } from '../io/types';
import { panelStyles } from './styles';
import './sp-viewer';
import './sp-series-browser';
import './sp-file-list';
import './sp-help';
import './sp-lesion-panel';
import './sp-anatomy-panel';
import './sp-scene-3d';
import './sp-fluoro';
import './sp-plan-panel';
import './sp-case-bar';
import './sp-pacs-panel';
import './sp-library';
import './sp-fellow';
import './sp-presenter';
import * as teaching from '../app/teaching';
import * as plan from '../app/plan';
import { confirmLeavingCase } from '../app/autosave';
import * as planning from '../app/planning';
import * as lesions from '../app/lesions';
import * as caseActions from '../app/case';
import * as anatomy from '../app/anatomy';
import type { SpViewer } from './sp-viewer';
import { toolIcon } from './tool-icons';

const TOOLS: { tool: ToolName; label: string; key: string }[] = [
  { tool: 'crosshair', label: 'Crosshair', key: 'C' },
  { tool: 'windowLevel', label: 'W/L', key: 'W' },
  { tool: 'pan', label: 'Pan', key: 'P' },
  { tool: 'zoom', label: 'Zoom', key: 'Z' },
  { tool: 'ruler', label: 'Ruler', key: 'M' },
  { tool: 'regionGrow', label: 'Grow', key: 'G' },
  { tool: 'brush', label: 'Brush', key: 'B' },
  { tool: 'eraser', label: 'Eraser', key: 'E' },
  { tool: 'thresholdBox', label: 'Box', key: 'X' },
  { tool: 'seeds', label: 'Strokes', key: 'L' },
  { tool: 'foramen', label: 'Foramen', key: 'F' },
  { tool: 'canal', label: 'Canal', key: 'K' },
];

/** Collect files from a drop, descending into folders (webkitGetAsEntry); `onCount` reports progress. */
async function filesFromDrop(dt: DataTransfer, onCount: (n: number) => void = () => {}): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dt.files);
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push(file);
      onCount(out.length);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        // A batch at once: thousands of files one after the other would take many seconds.
        await Promise.all(batch.map(walk));
      }
    }
  };
  await Promise.all(entries.map(walk));
  return out;
}

export class SpApp extends LitElement {
  static override properties = { state: { state: true }, dragging: { state: true }, show3d: { state: true }, teachMode: { state: true } };
  /** Library mode (app/teaching.ts): a fellow's attempt swaps the plan panel; presenter mode hides the chrome. */
  teachMode: teaching.TeachingState['mode'] = 'none';
  private offTeaching: (() => void) | null = null;
  state: AppState = actions.store.state;
  dragging = false;
  /** The 3D view and simulated fluoroscopy column beside the 2D views. */
  show3d = new URLSearchParams(location.search).get('scene') !== '0';
  private unsubscribe: (() => void) | null = null;

  static override styles = [
    panelStyles,
    css`
      :host { display: grid; grid-template-rows: auto 1fr; height: 100vh; background: #0b0d10; }
      /* One row down to 1366 px: tools as icons, the files in menus. */
      header { display: flex; align-items: center; gap: 6px; padding: 5px 8px; border-bottom: 1px solid #1d242d; background: #0f1318; flex-wrap: nowrap; white-space: nowrap; }
      header button { white-space: nowrap; }
      .tools { gap: 2px; }
      .tools button { padding: 3px 5px; line-height: 0; }
      .tools button .icon { display: block; }
      .brand { font-weight: 800; letter-spacing: 0.02em; color: #e8c66a; font-size: 15px; margin-right: 6px; }
      .group { display: flex; gap: 4px; align-items: center; }
      .sep { width: 1px; height: 22px; background: #232a33; }
      main { display: grid; grid-template-columns: 300px 1fr 330px; min-height: 0; }
      /* Laptop screens (1366 px): narrower side columns so that the sagittal and coronal views keep ≈ 270 px. */
      @media (max-width: 1500px) { main { grid-template-columns: 250px 1fr 290px; } main .views.with3d { grid-template-columns: 1fr minmax(260px, 34%); } }
      :host(.presenter) { grid-template-rows: auto 1fr; }
      :host(.presenter) main { grid-template-columns: 1fr; }
      :host(.presenter) header, :host(.presenter) main > aside { display: none; }
      aside.plan { border-right: none; border-left: 1px solid #1d242d; }
      aside { border-right: 1px solid #1d242d; padding: 8px 10px; overflow-y: auto; overflow-x: hidden; background: #0e1116; }
      .views { position: relative; min-height: 0; display: grid; grid-template-columns: 1fr; }
      .views.with3d { grid-template-columns: 1fr minmax(320px, 40%); }
      .side3d { display: grid; grid-template-rows: 1fr 1fr; gap: 3px; min-height: 0; min-width: 0; background: #000; border-left: 3px solid #000; }
      .case dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 0; font-size: 12px; }
      .case dt { color: #7d8894; }
      .case dd { margin: 0; word-break: break-all; font-family: ui-monospace, monospace; }
      .case dd.warn { color: #f0c36a; word-break: normal; }
      .messages { display: flex; flex-direction: column; gap: 4px; }
      .msg { border-radius: 4px; padding: 5px 8px; font-size: 12px; display: flex; gap: 6px; align-items: flex-start; }
      .msg.error { background: #3a1816; border: 1px solid #6b2a24; }
      .msg.warning { background: #332a12; border: 1px solid #5e4a1c; }
      .msg.info { background: #14222f; border: 1px solid #24405a; }
      .msg span { flex: 1; }
      .msg button { padding: 0 5px; }
      .progress { position: absolute; left: 50%; top: 12px; transform: translateX(-50%); z-index: 10; background: #12161cee; border: 1px solid #2c3540; border-radius: 6px; padding: 8px 12px; min-width: 360px; }
      .bar { height: 6px; background: #1d242d; border-radius: 3px; overflow: hidden; margin: 6px 0; }
      .bar > div { height: 100%; background: #3f8fd8; transition: width 0.1s; }
      .drop { position: absolute; inset: 0; z-index: 15; border: 3px dashed #3f8fd8; background: rgba(20, 40, 70, 0.45); display: grid; place-items: center; font-size: 18px; pointer-events: none; }
      input[type='file'] { display: none; }
      .blocked { background: #3a1816; border: 1px solid #6b2a24; border-radius: 4px; padding: 5px 8px; margin-top: 6px; font-size: 12px; }
      ul.warnings { margin: 4px 0 0; padding-left: 16px; font-size: 12px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = actions.store.subscribe((s) => (this.state = s));
    this.offTeaching = teaching.teaching.subscribe((t) => (this.teachMode = t.mode));
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.offTeaching?.();
    window.removeEventListener('keydown', this.onKey);
  }

  get viewer(): SpViewer | null {
    return this.renderRoot.querySelector('sp-viewer');
  }

  private onKey = (e: KeyboardEvent): void => {
    if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'S')) {
      e.preventDefault();
      if (this.state.loaded) plan.downloadPlan().catch((err: Error) => actions.notify('error', `The plan was not saved: ${err.message}`));
      return;
    }
    if (e.target instanceof HTMLInputElement) return;
    const v = this.viewer;
    const view = v?.activeView ?? 'axial';
    const k = e.key;
    if ((e.ctrlKey || e.metaKey) && (k === 'z' || k === 'Z' || k === 'y' || k === 'Y')) {
      e.preventDefault();
      if (k === 'y' || k === 'Y' || e.shiftKey) void caseActions.redo();
      else void caseActions.undo();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const handled = (() => {
      switch (k) {
        case 'g': case 'G': actions.setTool('regionGrow'); return true;
        case 'b': case 'B': actions.setTool('brush'); return true;
        case 'e': case 'E': actions.setTool('eraser'); return true;
        case 'x': case 'X': actions.setTool('thresholdBox'); return true;
        case 'l': case 'L': actions.setTool('seeds'); return true;
        case 'f': case 'F': actions.setTool('foramen'); return true;
        case 'k': case 'K': actions.setTool('canal'); return true;
        case '[': lesions.setBrushRadius(this.state.seg.brushRadiusMm - 0.5); return true;
        case ']': lesions.setBrushRadius(this.state.seg.brushRadiusMm + 0.5); return true;
        case 'ArrowUp': case 'ArrowLeft': v?.scrollView(view, -1); return true;
        case 'ArrowDown': case 'ArrowRight': v?.scrollView(view, 1); return true;
        case 'PageUp': v?.scrollView(view, -10); return true;
        case 'PageDown': v?.scrollView(view, 10); return true;
        case 'c': case 'C': actions.setTool('crosshair'); return true;
        case 'w': case 'W': actions.setTool('windowLevel'); return true;
        case 'p': case 'P': actions.setTool('pan'); return true;
        case 'z': case 'Z': actions.setTool('zoom'); return true;
        case 'm': case 'M': actions.setTool('ruler'); return true;
        case '1': actions.applyPreset('bone'); return true;
        case '2': actions.applyPreset('soft'); return true;
        case '3': actions.applyPreset('auto'); return true;
        case 'r': case 'R': v?.resetViews(); return true;
        case '+': case '=': v?.zoomView(view, 1.2); return true;
        case '-': v?.zoomView(view, 1 / 1.2); return true;
        case 'Delete': case 'Backspace': actions.clearMeasurements(); return true;
        case 'o': case 'O': this.openPicker('file-input'); return true;
        case '?': case 'h': case 'H': actions.toggleHelp(); return true;
        case 'Escape': actions.cancelLoading(); actions.toggleHelp(false); anatomy.cancelPlacing(); planning.cancelPlacingNeedle(); v?.setMaximised(null); return true;
        default: return false;
      }
    })();
    if (handled) e.preventDefault();
  };

  private openPicker(id: string): void {
    (this.renderRoot.querySelector(`#${id}`) as HTMLInputElement | null)?.click();
  }

  private onInput(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []) as FileLike[];
    input.value = '';
    void confirmLeavingCase('Open the other files').then((ok) => (ok ? actions.loadFiles(files) : undefined));
  }

  private onDragOver(e: DragEvent): void {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private async onDrop(e: DragEvent): Promise<void> {
    e.preventDefault();
    this.dragging = false;
    if (!e.dataTransfer) return;
    actions.noteCollecting(0);
    let last = 0;
    let files: File[] = [];
    try {
      files = await filesFromDrop(e.dataTransfer, (n) => {
        const now = performance.now();
        if (now - last > 100) {
          last = now;
          actions.noteCollecting(n);
        }
      });
    } catch (err) {
      actions.notify('error', `The dropped files could not be read: ${(err as Error)?.message ?? String(err)}`);
    }
    if (files.length === 0) {
      actions.noteCollecting(null);
      return;
    }
    const plans = files.filter((f) => /\.sacroplan$/i.test(f.name));
    if (plans.length) {
      // a dropped plan opens on the shown series
      actions.noteCollecting(null);
      if (await confirmLeavingCase('Open the plan')) await plan.openPlan(plans[0]!, plans[0]!.name).catch((err: Error) => actions.notify('error', err.message));
      return;
    }
    if (!(await confirmLeavingCase('Open the dropped files'))) {
      actions.noteCollecting(null);
      return;
    }
    await actions.loadFiles(files);
  }

  private renderCase() {
    const l = this.state.loaded;
    if (!l) return html`<h3>Case</h3><div class="muted">Nothing loaded.</div>`;
    const f = (v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toFixed(3).replace(/\.?0+$/, ''));
    const pos = scanPosition(l.patientPosition);
    return html`<div class="case">
      <h3>Case</h3>
      <dl>
        <dt>Patient</dt><dd class="patient-name">${l.patientName || '—'}</dd>
        <dt>ID</dt><dd>${l.patientId || '—'}</dd>
        <dt>Study</dt><dd>${l.studyDescription || '—'}</dd>
        <dt>Series</dt><dd>${l.description || '—'}</dd>
        <dt>Modality</dt><dd>${l.modality}${l.source === 'demo' ? ' (synthetic demo)' : ''}</dd>
        <dt>Position</dt><dd id="scan-position" class=${pos.differsFromProcedure ? 'warn' : ''} title=${pos.note}>${pos.code ? `${pos.code}: ` : ''}${pos.label}${pos.differsFromProcedure ? ' (procedure: prone)' : ''}</dd>
        <dt>Matrix</dt><dd>${l.dims.join(' × ')}</dd>
        <dt>Spacing</dt><dd>${l.measurementBlockedReason ? html`<span class="err">unknown</span>` : l.spacingMm.map(f).join(' × ') + ' mm'}</dd>
        <dt>Origin</dt><dd>${l.originLps.map((v) => v.toFixed(2)).join(', ')} (LPS mm)</dd>
        <dt>Values</dt><dd>${l.valueRange[0]} … ${l.valueRange[1]} ${l.valueUnits === 'HU' ? 'HU' : '(raw)'}</dd>
      </dl>
      ${l.measurementBlockedReason ? html`<div class="blocked">Measurements blocked: ${l.measurementBlockedReason}</div>` : nothing}
      ${l.warnings.length ? html`<ul class="warnings">${l.warnings.map((w) => html`<li class="warn" data-code=${w.code}>${w.message}</li>`)}</ul>` : nothing}
    </div>`;
  }

  override render() {
    const s = this.state;
    const p = s.loading;
    const presenting = this.teachMode === 'presenter';
    this.classList.toggle('presenter', presenting);
    return html`
      ${presenting ? html`<sp-presenter></sp-presenter>` : nothing}
      <header>
        <span class="brand">SacroPlan</span>
        <details class="menu" id="file-menu" @click=${(e: Event) => { if ((e.target as HTMLElement).closest('.menu-list button')) (e.currentTarget as HTMLDetailsElement).open = false; }}>
          <summary title="Open files, a folder or the demo case">File</summary>
          <div class="menu-list">
            <button id="open-files" title="Open DICOM or NIfTI files (O)" @click=${() => this.openPicker('file-input')}>Open files…</button>
            <button id="open-folder" title="Open a folder of DICOM files" @click=${() => this.openPicker('folder-input')}>Open folder…</button>
            <button id="load-demo" title="Load the built-in synthetic sacrum" @click=${() => confirmLeavingCase('Open the demo case').then((ok) => (ok ? actions.loadDemo() : undefined))}>Demo case</button>
          </div>
        </details>
        <input id="file-input" type="file" multiple @change=${this.onInput} />
        <input id="folder-input" type="file" webkitdirectory multiple @change=${this.onInput} />
        <span class="sep"></span>
        <sp-case-bar .state=${s}></sp-case-bar>
        <span class="sep"></span>
        <div class="group tools" role="toolbar" aria-label="Tools">
          ${TOOLS.map((t) => html`<button data-tool=${t.tool} aria-pressed=${s.tool === t.tool} aria-label=${t.label} title="${t.label} (${t.key})" @click=${() => actions.setTool(t.tool)}>${toolIcon(t.tool)}</button>`)}
        </div>
        <span class="sep"></span>
        <div class="group" aria-label="Window presets">
          <button data-preset="bone" aria-pressed=${s.window.preset === 'bone'} title="Bone W2000/L500 (1)" @click=${() => actions.applyPreset('bone')}>Bone</button>
          <button data-preset="soft" aria-pressed=${s.window.preset === 'soft'} title="Soft tissue W400/L40 (2)" @click=${() => actions.applyPreset('soft')}>Soft</button>
          <button data-preset="auto" aria-pressed=${s.window.preset === 'auto'} title="Automatic from the histogram (3)" @click=${() => actions.applyPreset('auto')}>Auto</button>
        </div>
        <span class="sep"></span>
        <button id="toggle-3d" aria-pressed=${this.show3d} title="Show the 3D view and simulated fluoroscopy" @click=${() => (this.show3d = !this.show3d)}>3D + fluoro</button>
        <button id="help-button" title="Keyboard shortcuts (?)" aria-label="Help" @click=${() => actions.toggleHelp()}>?</button>
      </header>
      <main @dragover=${this.onDragOver} @dragleave=${() => (this.dragging = false)} @drop=${this.onDrop}>
        <aside>
          <sp-pacs-panel .state=${s}></sp-pacs-panel>
          <sp-library></sp-library>
          ${this.renderCase()}
          ${s.teachingHidesAnswers ? nothing : html`<sp-anatomy-panel .state=${s}></sp-anatomy-panel>`}
          <sp-lesion-panel .state=${s}></sp-lesion-panel>
          <sp-series-browser .series=${s.series} .activeKey=${s.loaded?.seriesKey ?? null} @sp-select-series=${(e: CustomEvent) => confirmLeavingCase('Open the other series').then((ok) => (ok ? actions.selectSeries(e.detail.key) : undefined))}></sp-series-browser>
          <sp-file-list .files=${s.files}></sp-file-list>
          ${s.measurements.length
            ? html`<h3>Measurements</h3>${s.measurements.map((m) => html`<div class="measurement">${m.view}: ${m.lengthMm === null ? 'not measurable (unknown spacing)' : `${m.lengthMm.toFixed(1)} mm`}</div>`)}<button @click=${() => actions.clearMeasurements()}>Clear</button>`
            : nothing}
          ${s.messages.length
            ? html`<h3>Messages</h3><div class="messages">${s.messages.map((m) => html`<div class="msg ${m.level}"><span>${m.text}</span><button title="Dismiss" @click=${() => actions.dismissMessage(m.id)}>×</button></div>`)}</div>`
            : nothing}
        </aside>
        <div class="views ${this.show3d ? 'with3d' : ''}">
          <sp-viewer .state=${s}></sp-viewer>
          ${this.show3d ? html`<div class="side3d"><sp-scene-3d .state=${s}></sp-scene-3d><sp-fluoro .state=${s}></sp-fluoro></div>` : nothing}
          ${p
            ? html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${p.total} aria-valuenow=${p.done}>
                <div>${p.label}${p.total > 1 ? ` — ${p.done} / ${p.total} ${p.unit ?? 'files'}` : ''}</div>
                <div class="bar"><div style="width:${p.total ? Math.round((100 * p.done) / p.total) : 0}%"></div></div>
                <button id="cancel-load" @click=${() => actions.cancelLoading()}>Cancel</button>
              </div>`
            : nothing}
          ${this.dragging ? html`<div class="drop">Drop DICOM files, folders or NIfTI here</div>` : nothing}
        </div>
        <aside class="plan">${this.teachMode === 'fellow' ? html`<sp-fellow .state=${s}></sp-fellow>` : html`<sp-plan-panel .state=${s}></sp-plan-panel>`}</aside>
      </main>
      ${s.helpOpen ? html`<sp-help @sp-close=${() => actions.toggleHelp(false)}></sp-help>` : nothing}
    `;
  }
}
customElements.define('sp-app', SpApp);
