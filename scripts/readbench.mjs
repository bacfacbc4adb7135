import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
const port = 4995;
const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
await new Promise(r => setTimeout(r, 1500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${port}/bench/stock.html`);
const dir = '/tmp/sacroplan-bench/ct512x300';
await page.setInputFiles('#files', readdirSync(dir).map(n => dir + '/' + n));
for (const conc of [4, 16, 64]) {
  const r = await page.evaluate(async (conc) => {
    const files = Array.from(document.querySelector('#files').files);
    const run = async (fn) => { const q = files.map((f, i) => i); const t0 = performance.now(); await Promise.all(Array.from({ length: conc }, async () => { for (let i = q.shift(); i !== undefined; i = q.shift()) await fn(files[i]); })); return performance.now() - t0; };
    const head = await run((f) => f.slice(0, 16384).arrayBuffer());
    const tail = await run((f) => f.slice(f.size - 524288).arrayBuffer());
    const full = await run((f) => f.arrayBuffer());
    return { head, tail, full };
  }, conc);
  console.log(conc, JSON.stringify(r));
}
await browser.close(); server.kill();
