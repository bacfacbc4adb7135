/**
 * Presenter mode's steps through a case (pure): what each step shows, in the order a lecture
 * tells it (anatomy → lesion → zone → approaches side by side → needle advance → ablation → cement).
 * The app maps each step onto its views (src/app/teaching.ts).
 */
export interface PresenterStep {
  key: 'anatomy' | 'lesion' | 'zone' | 'approaches' | 'needle' | 'ablation' | 'cement';
  title: string;
  /** What the audience should look at. */
  caption: string;
}

export const PRESENTER_STEPS: readonly PresenterStep[] = [
  { key: 'anatomy', title: 'Anatomy', caption: 'The sacrum: S1-S5 bodies, the alae, the central canal and the four pairs of foramina.' },
  { key: 'lesion', title: 'Lesion', caption: 'The metastasis, its volume and largest diameter (study: ≤ 30 mm, mean 6.7-7.2 mL).' },
  { key: 'zone', title: 'Denis zone', caption: 'Zone 1 lateral to the foramina, zone 2 through them, zone 3 medial (bodies and canal).' },
  { key: 'approaches', title: 'Approaches', caption: 'The five approaches planned side by side, ranked by verdict, clearance and the study\'s rule.' },
  { key: 'needle', title: 'Needle advance', caption: 'The chosen needle advanced from the skin to its target, in 3D and on fluoroscopy.' },
  { key: 'ablation', title: 'Ablation', caption: 'RF ablation zones around the active tip (70-90 °C; stop at neurologic signs).' },
  { key: 'cement', title: 'Cement', caption: 'Cement filling aimed at the study\'s 76-85 %, stopping at the posterior wall, a foramen or the SI joint.' },
];

/** The next step index for a key (PageDown / PageUp / Home / End), clamped. */
export function nextStep(step: number, key: string): number {
  const last = PRESENTER_STEPS.length - 1;
  if (key === 'PageDown' || key === 'ArrowRight' || key === ' ') return Math.min(last, step + 1);
  if (key === 'PageUp' || key === 'ArrowLeft') return Math.max(0, step - 1);
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  return step;
}
