/**
 * A private Orthanc (Debian `orthanc` + `orthanc-dicomweb`) for tests: its own storage and config
 * in a temporary folder, HTTP on a free loopback port, no DICOM port, remote access refused (Orthanc
 * binds all interfaces; RemoteAccessAllowed false answers only loopback clients). `stop()` ends it
 * and removes the folder; tests call it in afterAll so it also runs on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCI } from './shared';

export const ORTHANC_BIN = process.env.SACROPLAN_ORTHANC ?? '/usr/sbin/Orthanc';
export const ORTHANC_DICOMWEB_PLUGIN = process.env.SACROPLAN_ORTHANC_DICOMWEB ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export function orthancUnavailableReason(): string | null {
  if (!existsSync(ORTHANC_BIN)) return `Orthanc is not installed (${ORTHANC_BIN}; apt-get install -y orthanc orthanc-dicomweb)`;
  if (!existsSync(ORTHANC_DICOMWEB_PLUGIN)) return `Orthanc's DICOMweb plugin is not installed (${ORTHANC_DICOMWEB_PLUGIN}; apt-get install -y orthanc-dicomweb)`;
  return null;
}

/** True when Orthanc can run; prints the reason and skips locally, throws under CI. */
export function requireOrthanc(): boolean {
  const reason = orthancUnavailableReason();
  if (reason === null) return true;
  if (isCI) throw new Error(`CI=true but the DICOMweb tests cannot run: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return false;
}

export interface OrthancServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The DICOMweb root: url + /dicom-web */
  dicomweb: string;
  process: ChildProcess;
  /** Uploads Part 10 files through the REST API (POST /instances); returns their Orthanc ids. */
  upload(paths: string[]): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startOrthanc(): Promise<OrthancServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'sacroplan-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    StorageCompression: false,
    HttpCompressionEnabled: false,
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config, null, 1));
  const proc = spawn(ORTHANC_BIN, [join(dir, 'orthanc.json')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (d) => (log = (log + d).slice(-4000)));
  proc.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.on('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      proc.kill('SIGTERM');
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      if (!exited) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${url}/system`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (exited || Date.now() - t0 > 30_000) {
      await stop();
      throw new Error(`Orthanc did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    process: proc,
    async upload(paths) {
      const ids: string[] = [];
      for (const p of paths) {
        const r = await fetch(`${url}/instances`, { method: 'POST', body: readFileSync(p) });
        if (!r.ok) throw new Error(`Orthanc refused ${p}: HTTP ${r.status} ${await r.text()}`);
        ids.push(((await r.json()) as { ID: string }).ID);
      }
      return ids;
    },
    stop,
  };
}

/** The parts of a multipart/related body (PS3.18 8.6.1.2), as bytes. */
export function multipartParts(body: Uint8Array, contentType: string): Uint8Array[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const delim = Buffer.from(`--${m[1]}`);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts: Uint8Array[] = [];
  let at = buf.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (buf.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = buf.indexOf('\r\n\r\n', start);
    const next = buf.indexOf(delim, headerEnd + 4);
    if (headerEnd < 0 || next < 0) break;
    // The part ends before the CRLF that precedes the next delimiter.
    parts.push(new Uint8Array(buf.subarray(headerEnd + 4, next - 2)));
    at = next;
  }
  return parts;
}
