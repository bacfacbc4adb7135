/**
 * <sp-pacs-panel>: a DICOMweb server (PACS). Connect (base URL, optional Authorization header,
 * Remember), search studies (patient, dates, modality), list a study's series, load one (the
 * loading bar shows the download and Cancel stops it), store the case's SEG back, and import a SEG
 * series of the server onto the shown series.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as pacs from '../app/dicomweb';
import { confirmLeavingCase } from '../app/autosave';
import { panelStyles } from './styles';

export class SpPacsPanel extends LitElement {
  static override properties = {
    state: { attribute: false },
    open: { state: true },
    connected: { state: true },
    busy: { state: true },
    error: { state: true },
    studies: { state: true },
    series: { state: true },
    expanded: { state: true },
  };
  state!: AppState;
  open = false;
  connected: string | null = pacs.connectedTo();
  busy: string | null = null;
  error: string | null = null;
  studies: pacs.StudyRow[] | null = null;
  /** Series per expanded study. */
  series = new Map<string, pacs.SeriesRow[]>();
  expanded: string | null = null;
  private remembered = pacs.rememberedConnection();

  static override styles = [
    panelStyles,
    css`
      summary { cursor: pointer; font-size: 11px; letter-spacing: 0.08em; text-transform: uppercase; color: #8a96a3; font-weight: 600; margin: 10px 0 6px; }
      form { display: grid; grid-template-columns: auto 1fr; gap: 4px 6px; align-items: center; font-size: 12px; }
      input[type='text'], input[type='password'], input[type='date'] { background: #0b0e12; color: #d8dee6; border: 1px solid #2c3540; border-radius: 3px; padding: 3px 5px; font: inherit; min-width: 0; }
      .row { grid-column: 1 / -1; display: flex; gap: 6px; align-items: center; }
      ul { list-style: none; margin: 6px 0 0; padding: 0; font-size: 12px; }
      li.pacs-study { border: 1px solid #232a33; border-radius: 5px; padding: 5px 7px; margin-bottom: 5px; background: #12161c; cursor: pointer; }
      li.pacs-study.open { border-color: #3f6a94; }
      li.pacs-series { display: flex; gap: 6px; align-items: center; padding: 3px 0 0; cursor: default; }
      li.pacs-series .desc { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .mod { font-weight: 700; color: #e8c66a; }
      .status { font-size: 12px; margin: 4px 0; word-break: break-all; }
    `,
  ];

  private field(id: string): string {
    return (this.renderRoot.querySelector(`#${id}`) as HTMLInputElement | null)?.value ?? '';
  }

  private async run<T>(what: string, job: () => Promise<T>): Promise<T | undefined> {
    this.busy = what;
    this.error = null;
    try {
      return await job();
    } catch (err) {
      this.error = (err as Error).message;
      return undefined;
    } finally {
      this.busy = null;
    }
  }

  private async onConnect(e: Event): Promise<void> {
    e.preventDefault();
    const remember = (this.renderRoot.querySelector('#pacs-remember') as HTMLInputElement).checked;
    const url = await this.run('Connecting…', () => pacs.connect({ baseUrl: this.field('pacs-url'), authorization: this.field('pacs-auth') }, remember));
    if (url) {
      this.connected = url;
      this.studies = null;
      this.series = new Map();
    }
  }

  private onDisconnect(): void {
    pacs.disconnect();
    this.connected = null;
    this.studies = null;
    this.series = new Map();
    this.remembered = pacs.rememberedConnection();
  }

  private async onSearch(e: Event): Promise<void> {
    e.preventDefault();
    const rows = await this.run('Searching…', () =>
      pacs.searchStudies({ patientName: this.field('pacs-patient'), patientId: this.field('pacs-patient-id'), dateFrom: this.field('pacs-from'), dateTo: this.field('pacs-to'), modality: this.field('pacs-modality') }),
    );
    if (rows) {
      this.studies = rows;
      this.expanded = null;
    }
  }

  private async toggleStudy(uid: string): Promise<void> {
    if (this.expanded === uid) {
      this.expanded = null;
      return;
    }
    this.expanded = uid;
    const rows = await this.run('Listing the series…', () => pacs.listSeries(uid));
    if (rows) this.series = new Map(this.series).set(uid, rows);
  }

  private async load(row: pacs.SeriesRow): Promise<void> {
    if (!(await confirmLeavingCase('Open the series from the PACS'))) return;
    this.error = null;
    await pacs.loadSeries(row);
    this.requestUpdate();
  }

  private async storeSeg(): Promise<void> {
    await this.run('Storing the SEG…', () => pacs.storeSegWithMessage());
    // A new SEG series appears in the study's list.
    const uid = this.state.loaded?.studyUid;
    if (uid && this.series.has(uid)) {
      const rows = await pacs.listSeries(uid).catch(() => null);
      if (rows) this.series = new Map(this.series).set(uid, rows);
    }
  }

  private renderConnect() {
    const r = this.remembered;
    return html`<form id="pacs-connect-form" @submit=${this.onConnect}>
      <label for="pacs-url">Base URL</label><input id="pacs-url" type="text" .value=${r.baseUrl} title="The server's DICOMweb root; /dicomweb is this site's same-origin proxy (README)" />
      <label for="pacs-auth">Authorization</label><input id="pacs-auth" type="password" .value=${r.authorization} placeholder="optional, e.g. Bearer …" autocomplete="off" />
      <div class="row"><label><input id="pacs-remember" type="checkbox" ?checked=${r.remember} /> Remember the header in this browser</label></div>
      <div class="row"><button id="pacs-connect" type="submit" ?disabled=${!!this.busy}>Connect</button></div>
    </form>`;
  }

  private renderSearch() {
    const s = this.state;
    const canStore = !!s.loaded?.studyUid && s.lesions.length > 0;
    return html`<div class="status">Connected to <b>${this.connected}</b> <button id="pacs-disconnect" @click=${this.onDisconnect}>Disconnect</button></div>
      <form id="pacs-search-form" @submit=${this.onSearch}>
        <label for="pacs-patient">Patient</label><input id="pacs-patient" type="text" placeholder="name or part of it" />
        <label for="pacs-patient-id">Patient ID</label><input id="pacs-patient-id" type="text" />
        <label for="pacs-from">From</label><input id="pacs-from" type="date" />
        <label for="pacs-to">To</label><input id="pacs-to" type="date" />
        <label for="pacs-modality">Modality</label><input id="pacs-modality" type="text" placeholder="CT, MR…" />
        <div class="row"><button id="pacs-search" type="submit" ?disabled=${!!this.busy}>Search</button>
          <button id="pacs-store-seg" type="button" ?disabled=${!canStore || !!this.busy} title=${canStore ? 'Store the lesions as a DICOM SEG in the shown study on this server (STOW-RS)' : 'Needs a DICOM series with at least one lesion'} @click=${this.storeSeg}>Store SEG</button></div>
      </form>
      ${this.studies
        ? this.studies.length === 0
          ? html`<div class="muted status">No study matches.</div>`
          : html`<ul>${this.studies.map((st) => this.renderStudy(st))}</ul>`
        : nothing}`;
  }

  private renderStudy(st: pacs.StudyRow) {
    const open = this.expanded === st.studyUid;
    const rows = this.series.get(st.studyUid);
    return html`<li class="pacs-study ${open ? 'open' : ''}" data-study-uid=${st.studyUid} @click=${() => this.toggleStudy(st.studyUid)}>
      <div><b>${st.patientName || '—'}</b> · ${st.patientId || '—'} · ${st.studyDate || 'no date'}</div>
      <div class="muted">${st.modalities.join('/') || '?'} · ${st.description || '(no description)'}${st.seriesCount !== null ? ` · ${st.seriesCount} series` : ''}</div>
      ${open && rows
        ? html`<ul @click=${(e: Event) => e.stopPropagation()}>${rows.map(
            (r) => html`<li class="pacs-series" data-series-uid=${r.seriesUid}>
              <span class="mod">${r.modality || '?'}</span><span class="desc" title=${r.description}>${r.description || '(no description)'}</span>
              <span class="muted">${r.instanceCount ?? '?'} inst.</span>
              ${r.modality === 'SEG'
                ? html`<button class="pacs-import-seg" ?disabled=${!this.state.loaded || !!this.busy} title="Add this SEG's lesions to the shown series (it must have been made on it)" @click=${() => this.run('Importing the SEG…', () => pacs.importSegSeries(r))}>Import</button>`
                : html`<button class="pacs-load" ?disabled=${!!this.state.loading} @click=${() => this.load(r)}>Load</button>`}
            </li>`,
          )}</ul>`
        : nothing}
    </li>`;
  }

  override render() {
    return html`<details ?open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)} @keydown=${(e: KeyboardEvent) => { if (e.key !== 'Escape') e.stopPropagation(); }}>
      <summary id="pacs-toggle">PACS (DICOMweb)</summary>
      ${this.connected ? this.renderSearch() : this.renderConnect()}
      ${this.busy ? html`<div class="muted status" role="status">${this.busy}</div>` : nothing}
      ${this.error ? html`<div class="err status" role="alert">${this.error}</div>` : nothing}
    </details>`;
  }
}
customElements.define('sp-pacs-panel', SpPacsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sp-pacs-panel': SpPacsPanel;
  }
}
