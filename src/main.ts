/**
 * Entry point: mounts <sp-app>, installs window.sacroplan and opens the built-in demo case
 * (unless the URL says ?demo=0).
 */
import './ui/sp-app';
import * as actions from './app/actions';
import { installApi } from './app/api';
import { warmDicomWorkers } from './app/dicom-parallel';

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
  if (params.get('demo') !== '0') {
    await actions.loadDemo();
    await whenShown();
  }
  actions.setReady();
  resolveReady();
  warmDicomWorkers();
}
void start();
