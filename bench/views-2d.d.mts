import type { Page } from 'playwright-core';
/** Prepares the demo (landmarks, lesions, a planned needle) and returns input → next-frame times (ms) of slice steps and needle-drag moves. */
export function measure(page: Page, opts: { steps: number; gapMs: number }): Promise<{ slice: number[]; drag: number[]; needleId: string }>;
