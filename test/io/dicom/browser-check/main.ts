import { loadDicomSeries, scanDicomFiles } from '../../../../src/io/dicom';
import { browserFrameDecoder } from '../../../../src/io/dicom/browser-decoder';
(window as any).check = async () => {
  const input = document.getElementById('f') as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  const out: any[] = [];
  for (const file of files) {
    const scan = await scanDicomFiles([file]);
    const rep = scan.files[0]!;
    const s = scan.series[0];
    if (!s || !s.loadable) { out.push({ name: file.name, status: rep.status, msg: rep.message ?? s?.blockedReason }); continue; }
    try {
      const t0 = performance.now();
      const l = await loadDicomSeries(scan, s.key, { decoder: browserFrameDecoder });
      const v = l.volume.voxels;
      let h = 0, mn = Infinity, mx = -Infinity;
      for (let i = 0; i < v.length; i++) { h = (Math.imul(h, 31) + (v[i]! | 0)) | 0; if (v[i]! < mn) mn = v[i]!; if (v[i]! > mx) mx = v[i]!; }
      out.push({ name: file.name, type: v.constructor.name, n: v.length, hash: h, min: mn, max: mx, ms: Math.round(performance.now() - t0) });
    } catch (e) { out.push({ name: file.name, error: String((e as Error).message) }); }
  }
  // whole-folder load for multi-file sets
  const scan = await scanDicomFiles(files);
  const keys = scan.series.filter((s) => s.sliceCount > 5 && s.loadable).map((s) => s.key);
  for (const k of keys) {
    const l = await loadDicomSeries(scan, k, { decoder: browserFrameDecoder });
    const v = l.volume.voxels; let mn = Infinity, mx = -Infinity, sum = 0;
    for (let i = 0; i < v.length; i++) { if (v[i]! < mn) mn = v[i]!; if (v[i]! > mx) mx = v[i]!; sum += v[i]!; }
    out.push({ series: l.info.seriesDescription, dims: l.volume.geometry.dims, min: mn, max: mx, mean: sum / v.length, warnings: l.info.warnings.map((w) => w.code) });
  }
  return out;
};
(window as any).ready = true;
(window as any).floor = async (conc: number) => {
  const input = document.getElementById('f') as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  const t0 = performance.now();
  let next = 0, bytes = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (next < files.length) { const f = files[next++]!; bytes += (await f.arrayBuffer()).byteLength; } }));
  const t1 = performance.now();
  next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (next < files.length) { const f = files[next++]!; bytes += (await f.slice(0, 16384).arrayBuffer()).byteLength; } }));
  return { floorReadAllMs: Math.round(t1 - t0), prefixReadMs: Math.round(performance.now() - t1), conc };
};
(window as any).bench = async (sc: number, lc: number) => {
  const input = document.getElementById('f') as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  const memo = (performance as any).memory;
  const base = memo ? memo.usedJSHeapSize : 0;
  let peak = 0;
  const timer = setInterval(() => { if (memo) peak = Math.max(peak, memo.usedJSHeapSize - base); }, 10);
  const t0 = performance.now();
  const scan = await scanDicomFiles(files, { concurrency: sc });
  const t1 = performance.now();
  const l = await loadDicomSeries(scan, scan.series[0]!.key, { concurrency: lc });
  const t2 = performance.now();
  clearInterval(timer);
  const mem = (performance as any).memory;
  if (mem) peak = Math.max(peak, mem.usedJSHeapSize - base);
  return { peakOverVolume: +(peak / l.volume.voxels.byteLength).toFixed(2), sc, lc, files: files.length, scanMs: Math.round(t1 - t0), loadMs: Math.round(t2 - t1), totalMs: Math.round(t2 - t0), mb: l.volume.voxels.byteLength / 1e6, heapMB: mem ? Math.round(mem.usedJSHeapSize / 1e6) : null };
};
(window as any).byob = async (conc: number) => {
  const input = document.getElementById('f') as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  const len = 524288, start = files[0]!.size - len;
  const res: any = { conc };
  try {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: conc }, async () => {
      let buf = new ArrayBuffer(len);
      while (next < files.length) {
        const f = files[next++]!;
        const reader = f.slice(start, start + len).stream().getReader({ mode: 'byob' });
        let off = 0;
        while (off < len) { const { value, done } = await reader.read(new Uint8Array(buf, off, len - off)); if (!value) break; buf = value.buffer as ArrayBuffer; off += value.byteLength; if (done) break; }
        reader.releaseLock();
        if (off !== len) throw new Error('short ' + off);
      }
    }));
    res.byobMs = Math.round(performance.now() - t0);
  } catch (e) { res.byobError = String(e); }
  let next = 0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (next < files.length) { const f = files[next++]!; await f.slice(start, start + len).arrayBuffer(); } }));
  res.arrayBufferMs = Math.round(performance.now() - t1);
  const mem = (performance as any).memory; res.heapMB = mem ? Math.round(mem.usedJSHeapSize / 1e6) : null;
  return res;
};
