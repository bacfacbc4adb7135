/**
 * <sp-anatomy-panel>: the sacral landmarks. Find them in the CT, review them level by level (a guided
 * review steps through S1 L … S4 R and the canal, centring the views on each; or Go to any one), see
 * each one's confidence and whether it was placed by hand, place a missing one with two clicks,
 * adjust a radius, and show the Denis zone overlay.
 */
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as anatomy from '../app/anatomy';
import { FORAMEN_IDS, type Foramen, type ForamenId, type SacralLevel } from '../anatomy/types';
import { FOUND_CONFIDENCE, isTrusted } from '../anatomy/evidence';
import { panelStyles } from './styles';

const LEVELS = ['S1', 'S2', 'S3', 'S4'] as const;

/** Where a landmark came from: by hand, suggested and found (with its confidence), suggested but to check, or missing. */
function sourceBadge(x: { source: 'auto' | 'manual'; confidence: number } | null | undefined) {
  if (!x) return html`<span class="st missing">— missing</span>`;
  if (x.source === 'manual') return html`<span class="st manual" title="placed, confirmed or corrected by hand">✎ hand</span>`;
  return isTrusted(x)
    ? html`<span class="st auto" title="found automatically, confidence ${x.confidence.toFixed(2)}">● ${Math.round(100 * x.confidence)} %</span>`
    : html`<span class="st check" title="suggested with weak evidence (confidence ${x.confidence.toFixed(2)} < ${FOUND_CONFIDENCE}): not used for zones or clearances until confirmed">⚠ check</span>`;
}

/**
 * A foramen's radius in mm. One at the tunnel fit's search bound is not a measurement (Foramen.radiusAtFitLimit): a
 * reader would take "7.0" for the tunnel's size, so it reads "≥ 7.0 (fit limit)" until a radius is set by hand.
 */
function radiusText(f: Foramen) {
  return f.radiusAtFitLimit
    ? html`<span class="radius at-limit" title="Not measured: the fit's ring reached its largest radius (the opening's funnel is wider), and no wall was read. Set the radius with − / + if it matters.">≥ ${f.radiusMm.toFixed(1)} (fit limit)</span>`
    : html`<span class="radius" title="radius (mm)">${f.radiusMm.toFixed(1)}</span>`;
}

export class SpAnatomyPanel extends LitElement {
  static override properties = { state: { attribute: false } };
  state!: AppState;

  static override styles = [
    panelStyles,
    css`
      .row { display: flex; gap: 6px; align-items: center; margin: 4px 0; font-size: 12px; flex-wrap: wrap; }
      table { border-collapse: collapse; width: 100%; font-size: 12px; }
      td { padding: 1px 3px; border-bottom: 1px solid #1a2028; white-space: nowrap; }
      td.lvl { color: #8a96a3; font-weight: 600; cursor: pointer; }
      /* a suggestion in doubt carries Confirm (and a moved one Reset) besides Go, radius and Place: the row wraps in the sidebar instead of clipping its last buttons */
      .cell { display: flex; flex-wrap: wrap; gap: 2px 3px; align-items: center; }
      .st { min-width: 58px; }
      .auto { color: #4dd0e1; }
      .manual { color: #ffab40; }
      .missing { color: #ff8a7a; }
      .check { color: #ffd54f; }
      .outside { color: #8a96a3; }
      .at-limit { color: #ffd54f; }
      button.small { padding: 0 5px; font-size: 11px; }
      tr.current td { background: #14222f; }
      .review { background: #111c26; border: 1px solid #2b4a66; border-radius: 4px; padding: 6px 8px; margin: 6px 0; font-size: 12px; }
      .review .hint { color: #a9b4bf; margin: 3px 0; line-height: 1.35; }
      .placing { background: #14222f; border: 1px solid #24405a; border-radius: 4px; padding: 5px 7px; font-size: 12px; margin: 4px 0; }
      .note { color: #a9b4bf; font-size: 12px; line-height: 1.35; margin: 4px 0; }
    `,
  ];

  private cell(id: ForamenId) {
    const f = this.state.anatomy?.foramina.find((x) => x.id === id);
    const outside = !f && this.state.anatomy?.outsideFov?.includes(id);
    return html`<div class="cell" data-foramen=${id}>
      ${outside ? html`<span class="st outside" title="its place lies outside the image: nothing to place">◌ outside image</span>` : sourceBadge(f)}
      ${f ? html`<button class="small go" title="Centre the views on ${id}" @click=${() => anatomy.goToForamen(id)}>Go</button>
        <button class="small" title="Smaller radius" @click=${() => anatomy.setForamenRadius(id, f.radiusMm - 0.5)}>−</button>${radiusText(f)}<button class="small" title="Larger radius" @click=${() => anatomy.setForamenRadius(id, f.radiusMm + 0.5)}>+</button>` : nothing}
      ${f && !isTrusted(f) ? html`<button class="small confirm" title="The suggestion is right: use it" @click=${() => anatomy.confirmForamen(id)}>Confirm</button>` : nothing}
      ${f?.source === 'manual' && this.state.anatomy?.suggested?.some((x) => x.id === id) ? html`<button class="small reset" title="Put ${id} back to its suggestion" @click=${() => anatomy.resetForamen(id)}>Reset</button>` : nothing}
      <button class="small place" title="Place ${id} by hand: click its anterior, then its posterior opening" @click=${() => anatomy.startPlacing(id)}>Place</button>
    </div>`;
  }

  /** The guided review: where we are, what to check, and the way on. */
  private reviewBox(step: number) {
    const steps = anatomy.REVIEW_STEPS;
    const id = steps[step]!;
    const a = this.state.anatomy;
    let name: string, status, hint: string;
    if (id === 'canal') {
      const c = a?.canal;
      name = 'Canal';
      status = sourceBadge(c);
      hint = c
        ? 'Check that the dashed rings follow the canal down the sacrum; drag a centre point with the crosshair tool, or take the Canal tool (K) and click 2–3 times along the canal.'
        : 'No canal was found: take the Canal tool (K) and click 2–3 times along the canal (top, middle, bottom); zone 3 otherwise rests on the foramina alone.';
    } else {
      const f = a?.foramina.find((x) => x.id === id);
      name = id.replace('_', ' ');
      status = sourceBadge(f);
      hint = f
        ? `Check that the ring sits on the tunnel in all three views${isTrusted(f) ? '' : ' (weak evidence: not used for zones until you Confirm it)'}; drag it to correct it, or take the Foramen tool (F) and click on the opening in any view to fit it there.`
        : 'Not found: take the Foramen tool (F) and click on its opening in any view (the tunnel is fitted there), or place it with two clicks (Place by hand); if the image does not reach this level, press Not in image; or go on: the zone map then mirrors it from the other side.';
    }
    const last = step === steps.length - 1;
    return html`<div class="review" role="group" aria-label="Landmark review" data-review-step=${id}>
      <div>Review ${step + 1} of ${steps.length}: <b>${name}</b> ${status}</div>
      <div class="hint">${hint}</div>
      <div class="row">
        <button id="review-prev" class="small" ?disabled=${step === 0} @click=${() => anatomy.reviewStep(step - 1)}>◀ Previous</button>
        ${id !== 'canal' ? html`<button id="review-place" class="small" @click=${() => anatomy.startPlacing(id)}>Place by hand</button>` : nothing}
        ${id !== 'canal' && !a?.foramina.some((x) => x.id === id) ? html`<button id="review-outside" class="small" title="This level (both sides) lies outside the image (the field of view cuts it): report it so and go on" @click=${() => anatomy.markLevelOutside(id.slice(0, 2) as SacralLevel)}>Not in image</button>` : nothing}
        ${id !== 'canal' && a?.foramina.some((x) => x.id === id && !isTrusted(x)) ? html`<button id="review-confirm" class="small" @click=${() => anatomy.confirmForamen(id)}>Confirm</button>` : nothing}
        ${id === 'canal' && a?.canal && !isTrusted(a.canal) ? html`<button id="review-confirm" class="small" @click=${() => anatomy.confirmCanal()}>Confirm</button>` : nothing}
        ${last
          ? html`<button id="review-done" class="small" @click=${() => anatomy.endReview()}>Done</button>`
          : html`<button id="review-next" class="small" @click=${() => anatomy.reviewStep(step + 1)}>Next ▶</button>
              <button id="review-done" class="small" title="End the review" @click=${() => anatomy.endReview()}>Done</button>`}
      </div>
    </div>`;
  }

  override render() {
    const st = this.state;
    if (!st.loaded) return html``;
    const a = st.anatomy;
    const n = a?.foramina.length ?? 0;
    return html`<h3>Sacral landmarks</h3>
      <div class="row">
        <button id="detect-anatomy" title=${st.loaded.modality === 'CT' ? 'Find the sacrum, canal and foramina S1–S4 in the CT (hand-placed ones are kept)' : 'Automatic detection reads CT densities: it finds nothing on MR'} ?disabled=${st.loaded.modality !== 'CT'} @click=${() => anatomy.detectAnatomy().catch(() => undefined)}>Find landmarks</button>
        <span>${n} of ${FORAMEN_IDS.length} foramina${a?.canal ? ', canal' : ''}${a?.frame ? ', frame' : ''}</span>
        ${!st.review ? html`<button id="review-start" class="small" title="Step through S1 L … S4 R and the canal, the views centred on each (starting at the first one missing or to check)" @click=${() => anatomy.reviewStep(anatomy.firstReviewStep())}>Review</button>` : nothing}
      </div>
      ${st.review ? this.reviewBox(st.review.step) : nothing}
      ${st.placing
        ? html`<div class="placing" role="status">Placing ${st.placing.id.replace('_', ' ')}: click its <b>${st.placing.anteriorLps ? 'posterior' : 'anterior'}</b> opening in a view. <button class="small" @click=${() => anatomy.cancelPlacing()}>Cancel</button></div>`
        : nothing}
      ${html`<table class="foramina">
            ${LEVELS.flatMap((lv) => (['L', 'R'] as const).map((side) => html`<tr class=${st.review && anatomy.REVIEW_STEPS[st.review.step] === `${lv}_${side}` ? 'current' : ''}><td class="lvl" data-select=${`${lv}_${side}`} title="Review ${lv} ${side}: the Foramen tool (F) then places this one" @click=${() => anatomy.reviewStep(anatomy.REVIEW_STEPS.indexOf(`${lv}_${side}`))}>${lv} ${side}</td><td>${this.cell(`${lv}_${side}`)}</td></tr>`))}
          </table>`}
      ${st.loaded.modality !== 'CT' && !a?.foramina.length && !a?.canal
        ? html`<div class="note" data-mr-note>Automatic detection works on CT only (it reads bone densities): it finds no landmarks on this ${st.loaded.modality === 'MR' ? 'MR' : 'image'}. Press <b>Review</b> and place each one: the Foramen tool (F), one click on a foramen's opening; the Canal tool (K), two or three clicks along the canal.</div>`
        : a ? nothing : html`<div class="muted">Find the landmarks (CT), or place each foramen with the Foramen tool (F): one click on its opening.</div>`}
      ${a
        ? html`<div class="row canal-row" data-canal>
            <span class="lvl">Canal</span>
            ${sourceBadge(a.canal)}
            ${a.canal
              ? html`<span class="muted">${a.canal.centerlineLps.length} points</span>
                <button class="small go" title="Centre the views on the canal; drag its markers to correct it" @click=${() => anatomy.goToCanal()}>Go</button>`
              : nothing}
          </div>`
        : nothing}
      <label class="row"><input id="show-zones" type="checkbox" .checked=${st.showZones} ?disabled=${!a} @change=${(e: Event) => anatomy.setShowZones((e.target as HTMLInputElement).checked)} /> Zone overlay <span class="muted">(1 green · 2 amber · 3 violet)</span></label>
      ${st.zoneProblem && a ? html`<div class="warn">${st.zoneProblem}</div>` : nothing}`;
  }
}
customElements.define('sp-anatomy-panel', SpAnatomyPanel);
