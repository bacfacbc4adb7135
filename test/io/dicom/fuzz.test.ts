/**
 * Fuzz: ~3000 deterministic mutations (truncation, flipped bytes, corrupted length fields, inserted and
 * deleted bytes, garbage) of phantom slices and zoo files through scanDicomFiles + loadDicomSeries.
 * Every file must end as status ok or as a FileReport with a code and a message; nothing may throw
 * out of the scan, hang (< 1 s per file), or reject a load without a message.
 */
import { mulberry32 } from '../../../src/core/random';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBadInputs, ensurePhantom, requireShared, sharedDir } from '../../helpers/shared';
import { type FrameDecoder, loadDicomSeries, scanDicomFiles } from '../../../src/io/dicom';

const ok = requireShared(true);


const zeroDecoder: FrameDecoder = async (_ts, _enc, info) => new Uint16Array(info.rows * info.columns * info.samplesPerPixel);

function mutate(src: Uint8Array, rnd: () => number): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rnd() * n);
  // Most DICOM structure is in the first few KB: aim there more often.
  const headerPos = (): number => (rnd() < 0.8 ? int(Math.min(src.length, 4096)) : int(src.length));
  const kind = int(7);
  const b = src.slice();
  switch (kind) {
    case 0: {
      const at = rnd() < 0.5 ? headerPos() : int(src.length);
      return { bytes: b.subarray(0, at), how: `truncate at ${at}` };
    }
    case 1: {
      const n = 1 + int(20);
      for (let i = 0; i < n; i++) b[headerPos()] = int(256);
      return { bytes: b, how: `flip ${n} bytes` };
    }
    case 2: {
      // Overwrite what may be a length field (u16 or u32) with an extreme or random value.
      const at = headerPos() & ~1;
      const values = [0xffffffff, 0x7fffffff, 0, 1, 0xfffe, int(0x100000000), src.length, src.length - at];
      const v = values[int(values.length)]!;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (at + 4 <= b.length) {
        if (rnd() < 0.5) dv.setUint32(at, v >>> 0, true);
        else dv.setUint16(at, v & 0xffff, true);
      }
      return { bytes: b, how: `length field at ${at} = ${v}` };
    }
    case 3: {
      const at = headerPos();
      const n = 1 + int(64);
      const ins = new Uint8Array(n).map(() => int(256));
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, at), 0);
      out.set(ins, at);
      out.set(b.subarray(at), at + n);
      return { bytes: out, how: `insert ${n} at ${at}` };
    }
    case 4: {
      const at = headerPos();
      const n = 1 + int(64);
      const tail = b.subarray(Math.min(b.length, at + n));
      const out = new Uint8Array(at + tail.length);
      out.set(b.subarray(0, at), 0);
      out.set(tail, at);
      return { bytes: out, how: `delete ${n} at ${at}` };
    }
    case 5: {
      const n = int(3000);
      const g = new Uint8Array(n).map(() => int(256));
      if (n >= 132 && rnd() < 0.5) g.set([0x44, 0x49, 0x43, 0x4d], 128);
      return { bytes: g, how: `garbage ${n}` };
    }
    default: {
      // Garbage after a valid prefix (keeps the preamble and meta).
      const at = headerPos();
      for (let i = at; i < Math.min(b.length, at + 256); i++) b[i] = int(256);
      return { bytes: b, how: `garbage run at ${at}` };
    }
  }
}

describe.skipIf(!ok)('DICOM loader fuzz', () => {
  it('survives ~3000 mutated files', async () => {
    const zoo = join(sharedDir, 'data', 'dicom-loader-zoo');
    const ph = join(ensurePhantom('default.json'), 'dicom');
    const bad = ensureBadInputs();
    const sources = [
      join(ph, 'IM00001.dcm'), join(ph, 'IM00060.dcm'),
      join(bad, 'good_series', 'IM00001.dcm'), join(bad, 'all_in_one', 'raw_no_preamble.dcm'),
      join(bad, 'all_in_one', 'report_sr.dcm'), join(bad, 'all_in_one', 'jpeg_baseline.dcm'),
      ...[
        'ct-transfer-syntaxes/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
        'ct-transfer-syntaxes/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm',
        'ct-transfer-syntaxes/CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm',
        'ct-transfer-syntaxes/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
        'ct-transfer-syntaxes/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
        'ct-transfer-syntaxes/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
        'enhanced-multiframe/emri_small.dcm', 'enhanced-multiframe/emri_small_RLE.dcm',
        'enhanced-multiframe/eCT_Supplemental.dcm', 'enhanced-multiframe/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm',
        'enhanced-multiframe/niivue_enh.dcm', 'dicomdir/DICOMDIR', 'non-image/rtstruct.dcm', 'non-image/test-SR.dcm',
        'mr-mosaic-oblique-ts/In/2.dcm',
      ].map((p) => join(zoo, p)),
    ].map((p) => new Uint8Array(readFileSync(p)));

    const rnd = mulberry32(20261123);
    const N = 3000;
    const t0 = performance.now();
    let worst = 0, worstHow = '';
    const counts = { ok: 0, error: 0, ignored: 0, loaded: 0, loadRejected: 0 };
    const batch: File[] = [];
    for (let n = 0; n < N; n++) {
      const src = sources[n % sources.length]!;
      const { bytes, how } = mutate(src, rnd);
      const file = new File([new Uint8Array(bytes)], `fuzz${n}.dcm`);
      if (n % 15 === 0) batch.push(file);
      const t = performance.now();
      const scan = await scanDicomFiles([file]);
      const rep = scan.files[0]!;
      expect(scan.files).toHaveLength(1);
      if (rep.status !== 'ok' || rep.code) {
        expect(rep.code, `${how}: ${JSON.stringify(rep)}`).toBeTruthy();
        expect(rep.message, how).toContain(file.name);
      }
      counts[rep.status]++;
      for (const s of scan.series) {
        if (!s.loadable) {
          expect(s.blockedReason, how).toBeTruthy();
          continue;
        }
        try {
          const loaded = await loadDicomSeries(scan, s.key, { decoder: zeroDecoder });
          expect(loaded.volume.voxels.length).toBe(loaded.volume.geometry.voxelCount);
          counts.loaded++;
        } catch (e) {
          expect(e, how).toBeInstanceOf(Error);
          expect((e as Error).message.length, how).toBeGreaterThan(0);
          counts.loadRejected++;
        }
      }
      const dt = performance.now() - t;
      if (dt > worst) {
        worst = dt;
        worstHow = how;
      }
    }
    // A mixed folder of mutated files: grouping and checks must cope too.
    const scan = await scanDicomFiles(batch);
    expect(scan.files).toHaveLength(batch.length);
    const total = performance.now() - t0;
    console.log(`[fuzz] ${N} files in ${(total / 1000).toFixed(1)} s, slowest ${worst.toFixed(0)} ms (${worstHow}); ${JSON.stringify(counts)}`);
    expect(worst).toBeLessThan(1000);
    expect(total).toBeLessThan(90_000);
  }, 180_000);
});
