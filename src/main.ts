/**
 * Entry point: mounts <sp-app>, installs window.sacroplan and opens the built-in demo case
 * (unless the URL says ?demo=0), or the library case of a share link (#share=…).
 */
import './ui/sp-app';
import * as actions from './app/actions';
import { installApi } from './app/api';
import { warmDicomWorkers } from './app/dicom-parallel';
import * as teaching from './app/teaching';

const params = new URLSearchParams(location.search);
let resolveReady!: () => void;
const ready = new Promise<void>((r) => (resolveReady = r));

const whenShown = async (): Promise<void> => {
  const app = document.querySelector('sp-app');
  const viewer = app?.shadowRoot?.querySelector('sp-viewer');
  if (viewer) await viewer.whenShown();
};
installApi(ready, whenShown);

async function start(): Promise<void> {
  await customElements.whenDefined('sp-app');
  const app = document.querySelector('sp-app');
  if (app) await (app as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  if (teaching.isShareFragment(location.hash)) {
    // A share link opens its library case (or says why it cannot) instead of the demo.
    await teaching.openShared(location.hash).catch(() => undefined);
    await whenShown();
  } else if (params.get('demo') !== '0') {
    await actions.loadDemo();
    await whenShown();
  }
  actions.setReady();
  resolveReady();
  warmDicomWorkers();
}
void start();
