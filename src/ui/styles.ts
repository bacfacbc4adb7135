import { css } from 'lit';

/** Shared dark radiology-style look. */
export const panelStyles = css`
  :host { display: block; color: #d8dee6; font: 13px/1.35 system-ui, sans-serif; }
  h3 { margin: 10px 0 6px; font-size: 11px; letter-spacing: 0.08em; text-transform: uppercase; color: #8a96a3; font-weight: 600; }
  button { background: #1a2029; color: #d8dee6; border: 1px solid #2c3540; border-radius: 4px; padding: 4px 9px; font: inherit; cursor: pointer; }
  button:hover { background: #232b36; border-color: #3c4857; }
  button[aria-pressed='true'], button.on { background: #27415c; border-color: #3f6a94; color: #fff; }
  .muted { color: #7d8894; }
  .warn { color: #f0c36a; }
  .err { color: #ff8a7a; }
  .ok { color: #7fd08a; }
  /* Toolbar menus (<details class="menu">): the summary looks like a button, the list drops below it. */
  details.menu { position: relative; }
  details.menu > summary { list-style: none; background: #1a2029; border: 1px solid #2c3540; border-radius: 4px; padding: 4px 9px; cursor: pointer; white-space: nowrap; }
  details.menu > summary::-webkit-details-marker { display: none; }
  details.menu > summary::after { content: ' ▾'; color: #7d8894; }
  details.menu[open] > summary { background: #27415c; border-color: #3f6a94; }
  details.menu > .menu-list { position: absolute; top: calc(100% + 3px); left: 0; z-index: 35; display: flex; flex-direction: column; gap: 3px; background: #12161c; border: 1px solid #2c3540; border-radius: 6px; padding: 5px; box-shadow: 0 6px 18px #000a; min-width: 150px; }
  details.menu > .menu-list button { text-align: left; white-space: nowrap; }
`;
