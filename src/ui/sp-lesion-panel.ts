/**
 * <sp-lesion-panel>: the lesions of the case with their volumes and diameters, the segmentation
 * tools' settings and the lesion operations. Reads state; calls the lesion actions.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { AppState, LesionEntry } from '../app/store';
import * as lesions from '../app/lesions';
import * as caseActions from '../app/case';
import { STUDY_COHORTS } from '../segmentation/stats';
import { studyCriteria } from '../segmentation/criteria';
import { panelStyles } from './styles';
import { isHounsfield, lesionValueLabel, lesionValueText } from './value-units';

const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number) => v.toFixed(2);

/** Where a volume sits against the study's lesions (z against PSP+RFA 7.22 ± 1.74 mL), in words. */
function cohortWords(z: number): string {
  if (z < -2) return 'much smaller than the study\'s lesions';
  if (z < -1) return 'smaller than most of the study\'s lesions';
  if (z <= 1) return 'typical of the study\'s lesions';
  if (z <= 2) return 'larger than most of the study\'s lesions';
  return 'much larger than the study\'s lesions';
}

export class SpLesionPanel extends LitElement {
  static override properties = { state: { attribute: false } };
  state!: AppState;

  static override styles = [
    panelStyles,
    css`
      .tools { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; margin-bottom: 6px; }
      .row { display: flex; gap: 6px; align-items: center; margin: 4px 0; font-size: 12px; }
      input[type='range'] { flex: 1; }
      ul { list-style: none; margin: 0; padding: 0; }
      li { border: 1px solid #232a33; border-radius: 5px; padding: 6px 8px; margin-bottom: 6px; background: #12161c; cursor: pointer; }
      li.active { border-color: #3f6a94; background: #142030; }
      .head { display: flex; gap: 6px; align-items: center; }
      .swatch { width: 12px; height: 12px; border-radius: 3px; flex: none; }
      .name { flex: 1; background: transparent; border: 1px solid transparent; color: inherit; font: inherit; padding: 1px 3px; min-width: 0; }
      .name:focus { border-color: #3c4857; outline: none; }
      .icon { padding: 0 6px; }
      table { border-collapse: collapse; width: 100%; margin-top: 4px; font-size: 12px; }
      td { padding: 1px 4px; vertical-align: top; }
      td:first-child { color: #8a96a3; white-space: nowrap; }
      td.v { font-family: ui-monospace, monospace; }
      .flag { color: #ff8a7a; font-weight: 700; }
      .ops { display: flex; gap: 3px; flex-wrap: wrap; margin-top: 5px; }
      .ops button { font-size: 11.5px; padding: 2px 6px; }
      .busy { color: #9ecbff; font-size: 12px; }
      .zone { margin-top: 5px; font-size: 12px; border-top: 1px solid #232a33; padding-top: 4px; }
      .denis-zone { color: #e8c66a; }
      .criteria { margin-top: 5px; font-size: 12px; border-top: 1px solid #232a33; padding-top: 4px; }
      .criteria-summary { font-weight: 600; }
      .mark.meets { color: #7fd08a; }
      .mark.fails { color: #ff8a7a; }
      .mark.unknown { color: #8a96a3; }
    `,
  ];

  private renderStats(l: LesionEntry) {
    const s = l.stats;
    if (!s) return html`<div class="muted">Empty: paint or grow to fill it.</div>`;
    const cohort = STUDY_COHORTS['PSP+RFA'];
    return html`<table class="stats">
      <tr><td>Volume</td><td class="v"><span class="volume-ml">${f2(s.shownVolumeMl)} mL</span> <span class="volume-basis muted" data-basis=${s.shownVolumeBasis} title=${s.shownVolumeBrushEdited ? 'The partial-volume correction integrates the image\'s lesion edge; where the brush or eraser drew the boundary it is not that edge, so the voxel count is shown. Undo the brush edit to get the corrected volume back.' : nothing}>${s.shownVolumeBasis === 'partial-volume'
        ? `(partial-volume corrected; ${f2(s.volumeMl)} mL by voxel count)`
        : s.shownVolumeBrushEdited
          ? '(by voxel count: edited with the brush)'
          : '(by voxel count)'}</span></td></tr>
      <tr><td>ABC/2 (axial)</td><td class="v abc2-ml">${f2(s.abc2Ml)} mL <span class="muted">(${s.abcAxialMm.map(f1).join(' × ')} mm)</span></td></tr>
      <tr><td>ABC/2 (principal)</td><td class="v">${f2(s.abc2PrincipalMl)} mL</td></tr>
      <tr><td>Max diameter</td><td class="v max-diameter ${s.exceeds30mm ? 'flag' : ''}">${f1(s.maxDiameterMm)} mm${s.exceeds30mm ? ' > 30 mm: outside the study criterion' : ' (≤ 30 mm)'}</td></tr>
      <tr><td>Principal Ø</td><td class="v">${s.principalDiametersMm.map(f1).join(' × ')} mm</td></tr>
      <tr><td>Centroid</td><td class="v">${s.centroidLps.map(f1).join(', ')} LPS</td></tr>
      ${s.meanHu !== null ? html`<tr class="values"><td class="values-unit">${lesionValueLabel(this.state.loaded)}</td><td class="v">${lesionValueText({ ...s, meanHu: s.meanHu })}</td></tr>` : nothing}
      <tr><td>vs study</td><td class="cohort">${cohortWords(s.cohortZ['PSP+RFA'])} <span class="muted">(study: ${cohort.meanMl} ± ${cohort.sdMl} mL)</span></td></tr>
      <tr><td>Voxels</td><td class="v">${s.voxelCount}</td></tr>
    </table>
    ${this.state.teachingHidesAnswers ? html`<div class="zone muted answers-hidden">Zone and study criteria hidden until the attempt is scored</div>` : html`${this.renderCriteria(l)}${this.renderZone(l)}`}`;
  }

  /** The source study's criteria (size, foramen erosion, epidural extension) in words. */
  private renderCriteria(l: LesionEntry) {
    const s = l.stats;
    if (!s) return nothing;
    const z = l.zone;
    const c = studyCriteria({
      maxDiameterMm: s.maxDiameterMm,
      foraminaEntered: z ? z.foraminaEntered : null,
      canalDepthMm: z ? z.canalDepthMm : null,
      nearestForamen: z?.nearestForamen ?? null,
      canalDistanceMm: z?.canalDistanceMm ?? null,
    });
    const mark = { meets: '✓', fails: '✗', unknown: '?' } as const;
    return html`<div class="criteria" data-verdict=${c.verdict}>
      <div class="criteria-summary ${c.verdict === 'fails' ? 'flag' : ''}">${c.summary}</div>
      ${c.items.map((i) => html`<div class="criterion" data-key=${i.key} data-status=${i.status}><span class="mark ${i.status}">${mark[i.status]}</span> ${i.text}</div>`)}
      ${l.outsideSacrumMl === null ? nothing
        : l.outsideSacrumMl >= 0.01 ? html`<div class="extent flag">Extends outside the sacrum: ${f2(l.outsideSacrumMl)} mL (${Math.round((100 * l.outsideSacrumMl) / s.volumeMl)} %) beyond the bone</div>`
        : html`<div class="extent muted">Within the sacrum</div>`}
    </div>`;
  }

  private renderZone(l: LesionEntry) {
    const z = l.zone;
    if (!z) return html`<div class="zone muted">Denis zone: ${this.state.zoneProblem ?? 'not classified'}</div>`;
    const pct = (v: number) => `${Math.round(100 * v)} %`;
    return html`<div class="zone">
      <div><b class="denis-zone ${z.borderline ? 'flag' : ''}" data-borderline=${z.borderline ? z.borderline.zones.join('/') : ''}>${z.zone === null ? 'outside Denis landmarks (below S4)' : z.borderline ? `Denis zone ${z.borderline.zones.join('/')} border, check` : `Denis zone ${z.zone}`}</b></div>
      <div class="zone-explanation">${z.explanation}</div>
      <div class="muted">zones 1/2/3: ${pct(z.zoneFractions['1'])} / ${pct(z.zoneFractions['2'])} / ${pct(z.zoneFractions['3'])}${z.zoneFractions.below > 0 ? ` · below S4 ${pct(z.zoneFractions.below)}` : ''}</div>
      <div class="muted">${z.nearestForamen ? `nearest foramen ${z.nearestForamen.id.replace('_', ' ')} at ${z.nearestForamen.distanceMm.toFixed(1)} mm` : ''}${z.canalDistanceMm !== null ? ` · canal at ${z.canalDistanceMm.toFixed(1)} mm` : ''}</div>
      <div>Approach (source study): <span class="approach">${z.approachFamily}</span></div>
    </div>`;
  }

  override render() {
    const st = this.state;
    if (!st.loaded) return html``;
    const seg = st.seg;
    const blocked = st.loaded.measurementBlockedReason;
    return html`<h3>Lesions (${st.lesions.length})</h3>
      ${blocked ? html`<div class="err">Segmentation disabled: ${blocked}</div>` : html`
      <div class="tools">
        <button id="new-lesion" @click=${() => lesions.newLesion()}>+ New lesion</button>
        <button id="undo" ?disabled=${!seg.canUndo} title="Undo (Ctrl+Z)" @click=${() => caseActions.undo()}>Undo</button>
        <button id="redo" ?disabled=${!seg.canRedo} title="Redo (Ctrl+Y)" @click=${() => caseActions.redo()}>Redo</button>
        ${seg.busy ? html`<span class="busy" role="status">${seg.busy}</span>` : nothing}
      </div>
      <div class="row">Brush radius
        <input id="brush-radius" type="range" min="0.5" max="15" step="0.5" .value=${String(seg.brushRadiusMm)} @input=${(e: Event) => lesions.setBrushRadius(Number((e.target as HTMLInputElement).value))} />
        <span class="v">${f1(seg.brushRadiusMm)} mm</span></div>
      ${!isHounsfield(st.loaded) ? nothing : html`<label class="row"><input id="brush-window" type="checkbox" .checked=${seg.brushWindowHu !== null} @change=${(e: Event) => lesions.setBrushWindow((e.target as HTMLInputElement).checked ? [-200, 200] : null)} />
        Brush only paints −200…200 HU (soft-tissue/lytic)</label>`}
      <div class="row seed-kind" title="Strokes tool (L): paint inside the lesion, then the background around it; the lesion grows from both after each stroke">Strokes (L) paint
        <label><input id="seed-kind-lesion" type="radio" name="seed-kind" .checked=${seg.seedKind === 'lesion'} @change=${() => lesions.setSeedKind('lesion')} /> lesion</label>
        <label><input id="seed-kind-background" type="radio" name="seed-kind" .checked=${seg.seedKind === 'background'} @change=${() => lesions.setSeedKind('background')} /> background</label>
        <span class="muted">(Shift: the other)</span></div>
      <div class="row">Box threshold
        <input id="threshold-lo" type="number" step="10" style="width:64px" .value=${String(seg.thresholdWindowHu[0])} @change=${(e: Event) => lesions.setThresholdWindow(Number((e.target as HTMLInputElement).value), seg.thresholdWindowHu[1])} />
        …
        <input id="threshold-hi" type="number" step="10" style="width:64px" .value=${String(seg.thresholdWindowHu[1])} @change=${(e: Event) => lesions.setThresholdWindow(seg.thresholdWindowHu[0], Number((e.target as HTMLInputElement).value))} /> ${isHounsfield(st.loaded) ? 'HU' : 'signal (a.u.)'}</div>`}
      <ul>
        ${st.lesions.map(
          (l) => html`<li class="lesion ${l.id === st.activeLesionId ? 'active' : ''}" data-lesion-id=${l.id} @click=${() => lesions.setActiveLesion(l.id)}>
            <div class="head">
              <span class="swatch" style="background:${l.color}"></span>
              <input class="name" .value=${l.name} aria-label="Lesion name" @change=${(e: Event) => lesions.renameLesion(l.id, (e.target as HTMLInputElement).value)} @click=${(e: Event) => e.stopPropagation()} />
              <button class="icon visibility" title=${l.visible ? 'Hide' : 'Show'} aria-pressed=${!l.visible} @click=${(e: Event) => { e.stopPropagation(); lesions.setLesionVisible(l.id, !l.visible); }}>${l.visible ? '◉' : '○'}</button>
              <button class="icon delete" title="Delete lesion" @click=${(e: Event) => { e.stopPropagation(); void lesions.deleteLesion(l.id); }}>✕</button>
            </div>
            ${this.renderStats(l)}
            ${l.id === st.activeLesionId && !blocked
              ? html`<div class="ops">
                  <button title="Fill enclosed holes" @click=${() => lesions.lesionOp('fillHoles', l.id)}>Fill holes</button>
                  <button title="Keep the largest connected part" @click=${() => lesions.lesionOp('keepLargest', l.id)}>Keep largest</button>
                  <button title="Grow by 1 mm" @click=${() => lesions.lesionOp('dilate', l.id, 1)}>Dilate 1 mm</button>
                  <button title="Shrink by 1 mm" @click=${() => lesions.lesionOp('erode', l.id, 1)}>Erode 1 mm</button>
                  <button title="Fill the slices between drawn slices" @click=${() => lesions.lesionOp('interpolate', l.id)}>Fill between slices</button>
                </div>`
              : nothing}
          </li>`,
        )}
      </ul>
      ${st.lesions.length === 0 && !blocked ? html`<div class="muted">Pick <b>Grow</b> (G) and click inside a lesion (Shift-click adds another part to the active lesion), <b>Brush</b> (B) to draw one, or <b>Strokes</b> (L) for a lesion barely darker or brighter than the bone around it: paint inside it, then Shift-paint the background around it.</div>` : nothing}`;
  }
}
customElements.define('sp-lesion-panel', SpLesionPanel);
