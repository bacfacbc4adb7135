/**
 * <sp-plan-panel>: needle trajectories. Pick a lesion, an approach and a needle, plan it (1–3
 * needles) or rank all five approaches; read each needle's clearances and verdict with reasons;
 * place a needle by hand (two clicks: skin entry, then target), advance the tip, look down the
 * needle (needle's-eye reslice), plan RF ablation with an electrode, and edit the thresholds.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import type { AppState } from '../app/store';
import * as planning from '../app/planning';
import * as actions from '../app/actions';
import { APPROACH_NAMES, type ApproachName, type Trajectory } from '../planning/types';
import { APPROACH_TEMPLATES } from '../planning/approaches';
import { DEFAULT_NEEDLE_ID, customNeedle } from '../planning/needles';
import { foramenName } from '../planning/trajectory';
import { needleVerdict, PART_LABEL } from '../planning/verdict';
import { neuralDistanceMm } from '../planning/targets';
import { sliceAllowanceNote } from '../planning/slice-uncertainty';
import { panelStyles } from './styles';
import { reslice } from '../render/mpr-math';
import { volumeCache } from '../app/volume-cache';
import * as lesions from '../app/lesions';
import { currentLabels } from '../app/case';

const STATUS_LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export class SpPlanPanel extends LitElement {
  static override properties = { state: { attribute: false }, approach: { state: true }, needleId: { state: true }, needles: { state: true }, busy: { state: true }, inplaneDeg: { state: true } };
  /** Rotation of the in-plane view about the needle (degrees). */
  inplaneDeg = 0;
  state!: AppState;
  approach: ApproachName = 'posterior-short-axis';
  needleId = DEFAULT_NEEDLE_ID;
  needles = 1;
  busy = false;

  static override styles = [
    panelStyles,
    css`
      .row { display: flex; gap: 6px; align-items: center; margin: 4px 0; font-size: 12px; flex-wrap: wrap; }
      select, input[type='number'] { background: #12161c; color: #d8dee6; border: 1px solid #2c3540; border-radius: 4px; font: 12px system-ui, sans-serif; padding: 2px 4px; }
      select { max-width: 100%; }
      .pill { display: inline-block; min-width: 38px; text-align: center; border-radius: 3px; font: 700 11px/16px system-ui, sans-serif; padding: 0 4px; }
      .pill.pass { background: #1d4a2a; color: #9ff0ad; }
      .pill.warn { background: #5a4612; color: #ffe08a; }
      .pill.fail { background: #5e1f1b; color: #ffb0a5; }
      .pill.none { background: #262c34; color: #9aa7b4; }
      .parts { font-weight: 400; }
      .part { font-size: 10px; margin-left: 4px; color: #7d8894; }
      .part.warn { color: #f0c36a; }
      .part.fail { color: #ff8a7a; }
      th { text-align: left; font-weight: 600; color: #7d8894; padding: 2px 3px; border-bottom: 1px solid #2c3540; }
      .reasons li.warn { color: #f0d08a; }
      .reasons li.fail { color: #ffb0a5; }
      .reasons li.deciding { font-weight: 600; }
      .tag { display: inline-block; min-width: 44px; color: #7d8894; font-size: 10px; text-transform: uppercase; }
      .above { color: #9fb4c8; }
      table { border-collapse: collapse; width: 100%; font-size: 12px; }
      td { padding: 2px 3px; border-bottom: 1px solid #1a2028; vertical-align: top; }
      tr.sel td { background: #17222e; }
      tr.click { cursor: pointer; }
      .reasons { margin: 4px 0; padding-left: 16px; font-size: 12px; }
      .reasons li { margin: 1px 0; }
      dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; margin: 4px 0; font-size: 12px; }
      dt { color: #7d8894; }
      dd { margin: 0; font-family: ui-monospace, monospace; }
      canvas.eye { width: 100%; aspect-ratio: 1; background: #000; border: 1px solid #1d242d; display: block; }
      canvas.inplane { width: 100%; aspect-ratio: 3 / 2; background: #000; border: 1px solid #1d242d; display: block; }
      .star { color: #e8c66a; }
      .hint { font-size: 11px; color: #7d8894; }
      details { margin: 6px 0; font-size: 12px; }
      input[type='range'] { width: 100%; }
    `,
  ];

  private selected(): Trajectory | null {
    return this.state.trajectories.find((t) => t.id === this.state.selectedTrajectoryId) ?? null;
  }

  private lesionId(): string | null {
    return this.state.activeLesionId ?? this.state.lesions[0]?.id ?? null;
  }

  private async act(f: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    try {
      await f();
    } catch (e) {
      actions.notify('warning', (e as Error).message);
    } finally {
      this.busy = false;
    }
  }

  protected override updated(_p: PropertyValues): void {
    this.drawEye();
    this.drawInPlane();
  }

  /** The needle's tip against the nerves, as the tip slider advances it. */
  private tipMetrics(t: Trajectory): string {
    const d = [0, 1, 2].map((a) => t.targetLps[a]! - t.entryLps[a]!);
    const L = Math.hypot(d[0]!, d[1]!, d[2]!);
    const tip = [0, 1, 2].map((a) => t.entryLps[a]! + d[a]! * t.advance) as [number, number, number];
    const nerve = neuralDistanceMm(this.state.anatomy, tip[0], tip[1], tip[2]) - t.needle.outerDiameterMm / 2;
    return `tip at ${(L * t.advance).toFixed(0)} of ${L.toFixed(0)} mm${Number.isFinite(nerve) ? ` · ${Math.max(0, nerve).toFixed(1)} mm from the nearest foramen or the canal` : ''}`;
  }

  /**
   * In-plane view: the plane that contains the needle, turned about it by the Plane slider, centred
   * on the tip (so it follows the Tip slider); entry to the left, the rest of the path dashed to the target.
   */
  private drawInPlane(): void {
    const c = this.renderRoot.querySelector('canvas.inplane') as HTMLCanvasElement | null;
    const t = this.selected();
    const vol = volumeCache.get(this.state.volumeKey);
    if (!c || !t || !vol) return;
    const W = 300, H = 200, fovMm = 90, k = W / fovMm;
    if (c.width !== W) { c.width = W; c.height = H; }
    const d = [0, 1, 2].map((a) => t.targetLps[a]! - t.entryLps[a]!) as [number, number, number];
    const L = Math.hypot(...d) || 1;
    const u: [number, number, number] = [d[0] / L, d[1] / L, d[2] / L];
    const ref: [number, number, number] = Math.abs(u[2]) < 0.9 ? [0, 0, 1] : [0, 1, 0];
    let p0: [number, number, number] = [u[1] * ref[2] - u[2] * ref[1], u[2] * ref[0] - u[0] * ref[2], u[0] * ref[1] - u[1] * ref[0]];
    const pl = Math.hypot(...p0) || 1;
    p0 = [p0[0] / pl, p0[1] / pl, p0[2] / pl];
    const q0: [number, number, number] = [u[1] * p0[2] - u[2] * p0[1], u[2] * p0[0] - u[0] * p0[2], u[0] * p0[1] - u[1] * p0[0]];
    const th = (this.inplaneDeg * Math.PI) / 180;
    const up = [0, 1, 2].map((a) => Math.cos(th) * q0[a]! + Math.sin(th) * p0[a]!) as [number, number, number];
    const normal: [number, number, number] = [u[1] * up[2] - u[2] * up[1], u[2] * up[0] - u[0] * up[2], u[0] * up[1] - u[1] * up[0]];
    const tip = [0, 1, 2].map((a) => t.entryLps[a]! + d[a]! * t.advance) as [number, number, number];
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(W, H);
    const labels = currentLabels();
    reslice(new Uint32Array(img.data.buffer), W, H, 1, vol.geometry, vol.voxels, { centerLps: tip, mmPerPx: 1 / k }, { rightLps: u, upLps: up, normalLps: normal }, this.state.window,
      labels && this.state.lesions.length ? [{ labels, lut: lesions.labelLut(), alpha: 0.45 }] : []);
    ctx.putImageData(img, 0, 0);
    const vs = needleVerdict(t).status;
    const col = vs === 'pass' ? '#7fd08a' : vs === 'warn' ? '#f0c36a' : '#ff6b5e';
    const cx = W / 2, cy = H / 2;
    const ex = cx - L * t.advance * k, tx = cx + L * (1 - t.advance) * k;
    ctx.strokeStyle = col;
    ctx.lineWidth = Math.max(1.5, t.needle.outerDiameterMm * k);
    ctx.beginPath(); ctx.moveTo(ex, cy); ctx.lineTo(cx, cy); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(tx, cy); ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath(); ctx.arc(tx, cy, 4, 0, Math.PI * 2); ctx.stroke();
    ctx.fillStyle = col;
    ctx.beginPath(); ctx.arc(cx, cy, 2.5, 0, Math.PI * 2); ctx.fill();
    ctx.fillStyle = '#cfd6df';
    ctx.font = '11px ui-monospace, monospace';
    ctx.fillText(`in plane ${this.inplaneDeg}° · tip ${(L * t.advance).toFixed(0)} / ${L.toFixed(0)} mm`, 6, 14);
    ctx.fillText(`${fovMm} mm across`, 6, H - 6);
    c.dataset.targetPx = tx.toFixed(1);
    c.dataset.entryPx = ex.toFixed(1);
  }

  /** Needle's-eye view: the plane perpendicular to the needle through its (advanced) tip. */
  private drawEye(): void {
    const c = this.renderRoot.querySelector('canvas.eye') as HTMLCanvasElement | null;
    const t = this.selected();
    const vol = volumeCache.get(this.state.volumeKey);
    if (!c || !t || !vol) return;
    const size = 240;
    if (c.width !== size) { c.width = size; c.height = size; }
    const d = [t.targetLps[0] - t.entryLps[0], t.targetLps[1] - t.entryLps[1], t.targetLps[2] - t.entryLps[2]];
    const L = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
    const u: [number, number, number] = [d[0]! / L, d[1]! / L, d[2]! / L];
    const ref: [number, number, number] = Math.abs(u[2]) < 0.9 ? [0, 0, 1] : [0, 1, 0];
    let right: [number, number, number] = [u[1] * ref[2] - u[2] * ref[1], u[2] * ref[0] - u[0] * ref[2], u[0] * ref[1] - u[1] * ref[0]];
    const rl = Math.hypot(...right) || 1;
    right = [right[0] / rl, right[1] / rl, right[2] / rl];
    const up: [number, number, number] = [u[1] * right[2] - u[2] * right[1], u[2] * right[0] - u[0] * right[2], u[0] * right[1] - u[1] * right[0]];
    const tip: [number, number, number] = [t.entryLps[0] + d[0]! * t.advance, t.entryLps[1] + d[1]! * t.advance, t.entryLps[2] + d[2]! * t.advance];
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(size, size);
    const fovMm = 50;
    const labels = currentLabels();
    reslice(new Uint32Array(img.data.buffer), size, size, 1, vol.geometry, vol.voxels, { centerLps: tip, mmPerPx: fovMm / size }, { rightLps: right, upLps: up, normalLps: u }, this.state.window,
      labels && this.state.lesions.length ? [{ labels, lut: lesions.labelLut(), alpha: 0.45 }] : []);
    ctx.putImageData(img, 0, 0);
    const vs = needleVerdict(t).status;
    const col = vs === 'pass' ? '#7fd08a' : vs === 'warn' ? '#f0c36a' : '#ff6b5e';
    ctx.strokeStyle = col;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(size / 2, size / 2, Math.max(1.5, (t.needle.outerDiameterMm / 2) * (size / fovMm)), 0, Math.PI * 2);
    ctx.stroke();
    // 5 mm warn ring around the needle
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.arc(size / 2, size / 2, (t.needle.outerDiameterMm / 2 + this.state.thresholds.neuralWarnMm) * (size / fovMm), 0, Math.PI * 2);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#cfd6df';
    ctx.font = '11px ui-monospace, monospace';
    ctx.fillText(`depth ${(L * t.advance).toFixed(0)} / ${L.toFixed(0)} mm`, 6, 14);
    ctx.fillText(`${fovMm} mm field`, 6, size - 6);
  }

  private onAddNeedle = (e: Event): void => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const num = (k: string) => (f.get(k) === '' || f.get(k) === null ? undefined : Number(f.get(k)));
    try {
      const n = customNeedle({ name: String(f.get('name') ?? ''), gauge: num('gauge'), outerDiameterMm: num('od'), workingLengthMm: num('length') ?? NaN, activeTipMm: num('tip') || undefined });
      planning.addCustomNeedle(n);
      this.needleId = n.id;
      actions.notify('info', `Needle added: ${n.name} (${n.outerDiameterMm.toFixed(2)} mm × ${n.workingLengthMm} mm).`);
      (e.target as HTMLFormElement).reset();
    } catch (err) {
      actions.notify('warning', `Needle not added: ${(err as Error).message}.`);
    }
  };

  private renderRanking(lesionId: string | null) {
    const rows = lesionId ? planning.liveRanking(lesionId) : null;
    if (!rows) return nothing;
    const zone = this.state.lesions.find((l) => l.id === lesionId)?.zone?.zone ?? null;
    return html`<table class="ranking" aria-label="Approaches ranked">
      <thead><tr><th title="rank">#</th><th>Approach</th><th title="the needle's verdict: worst of path, tip, ablation and cement">Verdict</th><th title="smallest needle-surface clearance to a foramen or the canal">Clearance</th><th title="skin to target">Depth</th></tr></thead>
      ${rows.map((r, i) => html`<tr class="click ${r.trajectoryId && r.trajectoryId === this.state.selectedTrajectoryId ? 'sel' : ''}" data-approach=${r.approach} data-status=${r.feasible ? r.status : 'none'}
          @click=${() => r.trajectoryId && planning.selectTrajectory(r.trajectoryId)}>
        <td>${i + 1}</td>
        <td>${APPROACH_TEMPLATES[r.approach].label}${r.studyChoice ? html` <span class="star" title="the approach family the source study chose for ${zone ? `zone ${zone}` : 'this lesion'} (Tian 2022)">★</span>` : nothing}</td>
        <td>${r.feasible ? html`<span class="pill ${r.status}">${STATUS_LABEL[r.status]}</span>` : html`<span class="pill none">no path</span>`}</td>
        <td>${r.minClearanceMm === null ? '–' : `${r.minClearanceMm.toFixed(1)} mm`}</td>
        <td>${r.depthMm === null ? '–' : `${r.depthMm.toFixed(0)} mm`}</td>
      </tr><tr class="why"><td></td><td colspan="4" class="hint">${r.reasons[0] ?? ''}${r.whyAbove ? html`<br /><span class="above">▲ above the next: ${r.whyAbove}</span>` : nothing}</td></tr>`)}
    </table>
    <div class="hint">Clearances within ${this.state.thresholds.rankTieMm} mm count as equal; then the study's choice (★), fewer structures crossed and the shorter path decide (Safety thresholds).</div>`;
  }

  /** Coverage per burn count of the last aiming, the proposed count marked, and why it stops short of the goal. */
  private renderAim(t: Trajectory, burns: number) {
    const aim = planning.rfAimOf(t);
    if (!aim) return nothing;
    return html`<table id="abl-options" aria-label="Coverage per burn count">
      <thead><tr><th>Burns</th><th title="lesion covered with every burn edge ≥ the neural margin">Coverage</th><th title="smallest burn edge to a foramen or the canal">Margin</th><th title="coverage if burn edges could come closer to the nerves (not touching them)">No margin</th></tr></thead>
      ${aim.options.map((o) => html`<tr class=${o.burns === aim.burns ? 'sel' : ''} data-burns=${o.burns}><td>${o.burns}${o.burns === aim.burns && o.coverage > 0 ? ' ◀ proposed' : ''}${o.burns === burns && o.burns !== aim.burns ? ' (set)' : ''}</td>
        <td>${o.coverage > 0 ? `${(o.coverage * 100).toFixed(0)} %` : '–'}</td><td>${o.marginMm === null ? '–' : `${o.marginMm.toFixed(1)} mm`}</td><td>${(o.coverageAnyMargin * 100).toFixed(0)} %</td></tr>`)}
    </table>
    <ul class="reasons" id="abl-aim-reasons">${aim.reasons.map((r) => html`<li>${r}</li>`)}</ul>`;
  }

  private renderSelected(t: Trajectory) {
    const m = t.metrics;
    const abl = t.ablation;
    const p = planning.ablationOf(t.id);
    const v = needleVerdict(t);
    return html`
      <h3>Needle ${t.id} <span class="pill ${v.status}" id="traj-status" title="worst of ${v.parts.map((x) => `${PART_LABEL[x.part]} ${STATUS_LABEL[x.status]}`).join(', ')}">${STATUS_LABEL[v.status]}</span>
        <span class="parts">${v.parts.map((x) => html`<span class="part ${x.status}" data-part=${x.part}>${PART_LABEL[x.part]} ${STATUS_LABEL[x.status]}</span>`)}</span></h3>
      <div class="row">
        <select id="traj-needle" aria-label="Needle of this trajectory" @change=${(e: Event) => this.act(() => planning.setNeedle(t.id, (e.target as HTMLSelectElement).value))}>
          ${planning.needles().map((n) => html`<option value=${n.id} ?selected=${n.id === t.needle.id}>${n.name}</option>`)}
        </select>
        <button class="small" title="Delete this needle" @click=${() => planning.deleteTrajectory(t.id)}>Delete</button>
      </div>
      <ul class="reasons" id="traj-reasons">${v.checks.map((c, i) => html`<li class=${`${c.level}${i === 0 && v.deciding ? ' deciding' : ''}`}><span class="tag">${PART_LABEL[c.part]}</span> ${c.text}</li>`)}</ul>
      <dl id="traj-metrics">
        <dt>approach</dt><dd>${t.approach ? APPROACH_TEMPLATES[t.approach].label : 'manual'}</dd>
        <dt>depth</dt><dd>${m.depthMm.toFixed(1)} mm of ${t.needle.workingLengthMm} mm</dd>
        <dt>nearest foramen</dt><dd>${m.nearestForamen ? `${m.nearestForamen.clearanceMm.toFixed(1)} mm${sliceAllowanceNote(m.nearestForamen.clearanceMm, m.nearestForamen.sliceUncertaintyMm)} (${foramenName(m.nearestForamen.id)})` : '–'}</dd>
        <dt>canal</dt><dd>${m.canalClearanceMm === null ? '–' : `${m.canalClearanceMm.toFixed(1)} mm${sliceAllowanceNote(m.canalClearanceMm, m.canalSliceUncertaintyMm)}`}</dd>
        <dt>anterior cortex</dt><dd>${m.anteriorCortexBreach ? 'BREACHED' : m.tipToAnteriorCortexMm === null ? '–' : `tip ${m.tipToAnteriorCortexMm.toFixed(1)} mm away${m.advanceToAnteriorCortexMm !== null ? `, ${m.advanceToAnteriorCortexMm.toFixed(1)} mm ahead` : ''}`}</dd>
        <dt>SI joint</dt><dd>${m.siJointCrossed ? 'crossed' : 'not crossed'}</dd>
        <dt>bone path</dt><dd>${m.bonePathMm.toFixed(1)} mm${m.crossings.length ? ` (${m.crossings.map((c) => `${c.kind} ${c.surface}`).join(', ')})` : ''}</dd>
        <dt>angles</dt><dd>${m.craniocaudalDeg >= 0 ? 'caudal' : 'cranial'} ${Math.abs(m.craniocaudalDeg).toFixed(0)}°, ${m.mediolateralDeg >= 0 ? 'to right' : 'to left'} ${Math.abs(m.mediolateralDeg).toFixed(0)}°</dd>
        <dt title="C-arm angles for the patient prone, as in the procedure (LAO = detector toward the patient's left, cranial = toward the head), whatever the scan's position">bull's-eye (prone)</dt><dd>${m.bullsEye.laoDeg >= 0 ? 'LAO' : 'RAO'} ${Math.abs(m.bullsEye.laoDeg).toFixed(0)}°, ${m.bullsEye.cranialDeg >= 0 ? 'cranial' : 'caudal'} ${Math.abs(m.bullsEye.cranialDeg).toFixed(0)}°</dd>
      </dl>
      <div class="row"><label for="advance">Tip</label><input id="advance" type="range" min="0" max="1" step="0.01" .value=${String(t.advance)}
        @input=${(e: Event) => planning.setAdvance(t.id, Number((e.target as HTMLInputElement).value))} /></div>
      <canvas class="inplane" aria-label="In-plane view along the needle"></canvas>
      <div class="row"><label for="inplane-angle" title="Turn the plane about the needle">Plane</label><input id="inplane-angle" type="range" min="0" max="180" step="5" .value=${String(this.inplaneDeg)} @input=${(e: Event) => (this.inplaneDeg = Number((e.target as HTMLInputElement).value))} /><span class="hint">${this.inplaneDeg}°</span></div>
      <div class="hint" id="tip-metrics">${this.tipMetrics(t)}</div>
      <canvas class="eye" aria-label="Needle's-eye view"></canvas>
      <div class="hint">Needle's-eye view: the plane perpendicular to the needle at the tip; solid ring = needle, dashed = ${this.state.thresholds.neuralWarnMm} mm warning margin.</div>
      <h3>Cement</h3>
      <div class="row">
        <label>Planned <input id="cement-ml" type="number" min="0.5" max="30" step="0.5" .value=${String(t.cement?.plannedMl ?? Math.min(8, Math.round((this.state.lesions.find((l) => l.id === t.lesionId)?.stats?.shownVolumeMl ?? 3) * 2) / 2 || 3))} style="width:56px" /> mL</label>
        <button id="cement-aim" ?disabled=${this.busy} title="The volume whose deposit reaches the study's degree of filling (76–85 %: deposit / lesion maximal diameter)" @click=${() => this.act(async () => actions.notify('info', await planning.aimCement(t.id)))}>Aim 76–85 %</button>
        <button id="cement-button" ?disabled=${this.busy} @click=${() => this.act(() => planning.planCement(t.id, Number((this.renderRoot.querySelector('#cement-ml') as HTMLInputElement).value)))}>Predict deposit</button>
        ${t.cement ? html`<button class="small" @click=${() => this.act(() => planning.planCement(t.id, null))}>Clear</button>` : nothing}
      </div>
      ${t.cement ? html`<div id="cement-summary" class="hint">${t.cement.fillingRatio !== null ? html`<b>filling ratio ${(t.cement.fillingRatio * 100).toFixed(0)} %</b> (study 76–85 %) · ` : nothing}${t.cement.volumeMl.toFixed(2)} mL, ${t.cement.maxDiameterMm.toFixed(1)} mm${t.cement.stopSurfaces.length ? html` · stops at ${t.cement.stopSurfaces.slice(0, 3).join(', ')}` : nothing}</div>` : html`<div class="hint">Cement grows from the tip through the lesion first, then bone, and stops at the sacral walls and 1 mm from a foramen or the canal (a model; see README).</div>`}
      ${t.needle.activeTipMm
        ? html`<h3>RF ablation</h3>
            <div class="row">
              <label>Burns <input id="abl-burns" type="number" min="1" max="4" step="1" .value=${String(p.burns)} @change=${(e: Event) => this.act(() => planning.setAblation(t.id, { burns: Number((e.target as HTMLInputElement).value) }))} /></label>
              <label>+ length <input type="number" min="2" max="10" step="1" .value=${String(p.extraLengthMm)} @change=${(e: Event) => this.act(() => planning.setAblation(t.id, { extraLengthMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label>
            </div>
            <div class="row"><button id="abl-aim" ?disabled=${this.busy || !t.lesionId} title="Move the tip along and across the path so the burns with pull-backs cover the lesion best while every burn edge keeps ${this.state.thresholds.ablationNeuralWarnMm} mm from the foramina and the canal" @click=${() => this.act(() => planning.aimElectrode(t.id))}>Aim for the burns</button></div>
            ${this.renderAim(t, p.burns)}
            ${abl ? html`<div id="abl-summary"><span class="pill ${abl.status}">${STATUS_LABEL[abl.status]}</span> ${abl.zones.length} zone(s) ${abl.zones[0] ? `${abl.zones[0].lengthMm.toFixed(0)} × ${abl.zones[0].diameterMm.toFixed(0)} mm` : ''}${abl.coverage !== null ? `, coverage ${(abl.coverage * 100).toFixed(0)} %` : ''}${abl.neuralMarginMm !== null ? `, margin ${abl.neuralMarginMm.toFixed(1)} mm to the ${abl.nearestStructure}` : ''}
              <ul class="reasons">${abl.reasons.map((r) => html`<li>${r}</li>`)}</ul></div>` : nothing}`
        : nothing}
    `;
  }

  override render() {
    const s = this.state;
    if (!s.volumeKey) return html`<h3>Needle trajectories</h3><div class="muted">Load a case first.</div>`;
    const lesionId = this.lesionId();
    const sel = this.selected();
    return html`
      <h3>Needle trajectories</h3>
      ${!s.anatomy ? html`<div class="warn hint">Find the landmarks first (Anatomy): without foramina, canal and sacrum the checks are incomplete.</div>` : nothing}
      <div class="row">
        <label>Lesion <select id="plan-lesion" @change=${(e: Event) => lesions.setActiveLesion((e.target as HTMLSelectElement).value)}>
          ${s.lesions.map((l) => html`<option value=${l.id} ?selected=${l.id === lesionId}>${l.name}${l.zone?.zone ? ` (zone ${l.zone.borderline ? `${l.zone.borderline.zones.join('/')} border` : l.zone.zone})` : ''}</option>`)}
        </select></label>
      </div>
      <div class="row">
        <select id="plan-approach" aria-label="Approach" @change=${(e: Event) => (this.approach = (e.target as HTMLSelectElement).value as ApproachName)}>
          ${APPROACH_NAMES.map((a) => html`<option value=${a} ?selected=${a === this.approach} title=${APPROACH_TEMPLATES[a].description}>${APPROACH_TEMPLATES[a].label}</option>`)}
        </select>
        <select id="plan-needle" aria-label="Needle" @change=${(e: Event) => (this.needleId = (e.target as HTMLSelectElement).value)}>
          ${planning.needles().map((n) => html`<option value=${n.id} ?selected=${n.id === this.needleId}>${n.gauge ? `${n.gauge} G` : ''} ${(n.workingLengthMm / 10).toFixed(1)} cm${n.activeTipMm ? ` RF ${n.activeTipMm / 10} cm` : ''}</option>`)}
        </select>
        <label title="Needles for this lesion (1–3)">× <input id="plan-count" type="number" min="1" max="3" .value=${String(this.needles)} style="width:36px" @change=${(e: Event) => (this.needles = Number((e.target as HTMLInputElement).value))} /></label>
      </div>
      <div class="hint">${APPROACH_TEMPLATES[this.approach].description}</div>
      <div class="row">
        <button id="plan-button" ?disabled=${!lesionId || this.busy} @click=${() => this.act(() => planning.planApproach(lesionId!, this.approach, { needle: this.needleId, needles: this.needles }))}>Plan</button>
        <button id="rank-button" ?disabled=${!lesionId || this.busy} @click=${() => this.act(() => planning.rankApproaches(lesionId!, { needle: this.needleId }))}>Rank all 5</button>
        <button id="place-needle" class=${s.placingNeedle ? 'on' : ''} ?disabled=${this.busy} title="Click the skin entry, then the target, in any view" @click=${() => planning.startPlacingNeedle(this.needleId, lesionId)}>Place by hand</button>
      </div>
      ${s.placingNeedle ? html`<div class="hint warn">Click the ${s.placingNeedle.entryLps ? 'target' : 'skin entry'} in a view (Esc cancels).</div>` : nothing}
      ${this.renderRanking(lesionId)}
      ${s.trajectories.length
        ? html`<table aria-label="Needles" id="traj-list">${s.trajectories.map((t) => html`<tr class="click ${t.id === s.selectedTrajectoryId ? 'sel' : ''}" data-id=${t.id} @click=${() => planning.selectTrajectory(t.id)}>
            <td>${t.id}</td><td>${t.approach ? APPROACH_TEMPLATES[t.approach].label : 'manual'}</td><td>${((vs) => html`<span class="pill ${vs}">${STATUS_LABEL[vs]}</span>`)(needleVerdict(t).status)}</td><td>${t.metrics.depthMm.toFixed(0)} mm</td></tr>`)}</table>`
        : nothing}
      ${sel ? this.renderSelected(sel) : nothing}
      <details>
        <summary>Safety thresholds</summary>
        <div class="row"><label>Foramen/canal fail &lt; <input type="number" min="0" max="10" step="0.5" .value=${String(s.thresholds.neuralFailMm)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ neuralFailMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label></div>
        <div class="row"><label>warn &lt; <input type="number" min="0" max="20" step="0.5" .value=${String(s.thresholds.neuralWarnMm)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ neuralWarnMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label></div>
        <div class="row"><label>Tip to anterior cortex warn &lt; <input type="number" min="0" max="20" step="0.5" .value=${String(s.thresholds.anteriorCortexWarnMm)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ anteriorCortexWarnMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label></div>
        <div class="row"><label>Ablation edge to nerves warn &lt; <input type="number" min="0" max="30" step="1" .value=${String(s.thresholds.ablationNeuralWarnMm)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ ablationNeuralWarnMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label></div>
        <div class="row"><label>Ablation coverage warn &lt; <input id="th-coverage" type="number" min="0" max="100" step="5" .value=${String(s.thresholds.ablationCoverageWarnPct)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ ablationCoverageWarnPct: Number((e.target as HTMLInputElement).value) }))} /> %</label></div>
        <div class="row"><label title="approaches whose clearances differ by less than this count as equally safe">Ranking: equal clearance within <input id="th-rank-tie" type="number" min="0" max="10" step="0.5" .value=${String(s.thresholds.rankTieMm)} style="width:48px" @change=${(e: Event) => this.act(() => planning.setThresholds({ rankTieMm: Number((e.target as HTMLInputElement).value) }))} /> mm</label></div>
        <div class="hint">Defaults from DOMAIN.md §3 and our design (coverage 90 %, ranking margin 1 mm: below it the difference is within landmark and needle-deflection uncertainty); recorded with each check.</div>
      </details>
      <details>
        <summary>Add a needle</summary>
        <form id="needle-form" @submit=${this.onAddNeedle}>
          <div class="row"><label>Name <input name="name" required style="width:150px" /></label></div>
          <div class="row"><label>Gauge <input name="gauge" type="number" min="10" max="22" step="1" style="width:48px" /></label>
            <label>or Ø <input name="od" type="number" min="0.2" max="8" step="0.01" style="width:56px" /> mm</label></div>
          <div class="row"><label>Length <input name="length" type="number" min="20" max="400" step="1" required style="width:56px" /> mm</label>
            <label>RF tip <input name="tip" type="number" min="0" max="50" step="1" style="width:48px" /> mm</label></div>
          <button type="submit">Add</button>
        </form>
      </details>
    `;
  }
}

customElements.define('sp-plan-panel', SpPlanPanel);
