/** <sp-file-list>: one line per file that was not used, with the reason (text only). */
import { LitElement, html, css } from 'lit';
import type { FileReport } from '../io/types';
import { panelStyles } from './styles';

export class SpFileList extends LitElement {
  static override properties = { files: { attribute: false } };
  files: FileReport[] = [];

  static override styles = [
    panelStyles,
    css`
      ul { list-style: none; margin: 0; padding: 0; max-height: 30vh; overflow: auto; }
      li { padding: 3px 0; border-bottom: 1px solid #1a2028; font-size: 12px; word-break: break-all; }
      .name { font-family: ui-monospace, monospace; }
    `,
  ];

  override render() {
    if (this.files.length === 0) return html``;
    const ok = this.files.filter((f) => f.status === 'ok').length;
    const problems = this.files.filter((f) => f.status !== 'ok');
    // Thousands of lines would stall the page: the first SHOWN are listed, the rest counted by problem.
    const shown = problems.slice(0, SHOWN);
    const rest = problems.slice(SHOWN);
    const restByCode = new Map<string, number>();
    for (const f of rest) restByCode.set(f.code ?? f.status, (restByCode.get(f.code ?? f.status) ?? 0) + 1);
    return html`<h3>Files</h3>
      <div class="summary"><span class="ok">${ok} used</span>${problems.length ? html` · <span class="warn">${problems.length} not used</span>` : ''}</div>
      <ul>
        ${shown.map(
          (f) => html`<li class="file-problem" data-status=${f.status} data-code=${f.code ?? ''}>
            <span class="${f.status === 'error' ? 'err' : 'muted'}">${f.status === 'error' ? '✖' : '–'}</span>
            <span class="name">${f.name}</span>: ${withoutName(f)}
          </li>`,
        )}
        ${rest.length
          ? html`<li class="file-more">… and ${rest.length} more not used: ${[...restByCode].map(([code, n]) => `${n} ${CODE_WORDS[code] ?? code}`).join(', ')}</li>`
          : ''}
      </ul>`;
  }
}

const SHOWN = 200;

/** Short words for the summary of files beyond the listed ones. */
const CODE_WORDS: Record<string, string> = {
  'not-dicom': 'not DICOM',
  'empty-file': 'empty',
  truncated: 'truncated',
  'non-image': 'not images',
  'decode-failed': 'undecodable',
  'unsupported-transfer-syntax': 'unsupported compression',
  'color-image': 'colour images',
  'implausible-value': 'with implausible values',
  'decompression-refused': 'refused decompressions',
  'duplicate-instance': 'duplicates',
  'nifti-invalid': 'unreadable NIfTI',
};

/** The message without the file name it starts with (the name is shown beside it). */
function withoutName(f: FileReport): string {
  const m = f.message ?? f.code ?? f.status;
  return m.startsWith(`${f.name}: `) ? m.slice(f.name.length + 2) : m;
}
customElements.define('sp-file-list', SpFileList);
