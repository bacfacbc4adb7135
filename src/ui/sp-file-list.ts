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
    return html`<h3>Files</h3>
      <div class="summary"><span class="ok">${ok} used</span>${problems.length ? html` · <span class="warn">${problems.length} not used</span>` : ''}</div>
      <ul>
        ${problems.map(
          (f) => html`<li class="file-problem" data-status=${f.status} data-code=${f.code ?? ''}>
            <span class="${f.status === 'error' ? 'err' : 'muted'}">${f.status === 'error' ? '✖' : '–'}</span>
            <span class="name">${f.name}</span>: ${f.message ?? f.code ?? f.status}
          </li>`,
        )}
      </ul>`;
  }
}
customElements.define('sp-file-list', SpFileList);
