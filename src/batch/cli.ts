/**
 * `sacroplan analyze <files or folders> [--plan file.sacroplan]… --out results.csv` in node: the
 * command line around analyze.ts. Each folder given is one input group (read recursively; its
 * series are the studies); the files given one by one form one more group. Files are read lazily
 * (headers first, pixels when their series loads), so a cohort never sits in memory at once.
 * Exit status: 0 when every input gave a study, 1 when some were skipped, 2 for a usage error.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { FileLike } from '../io/types';
import { analyze, toCsv, type InputGroup, type PlanInput } from './analyze';

const USAGE = 'usage: sacroplan analyze <files or folders>… [--plan file.sacroplan]… --out results.csv';

/** A file on disk as the loaders see a File: bytes read when asked. */
class DiskFile implements FileLike {
  readonly size: number;
  constructor(readonly path: string, readonly name: string, readonly webkitRelativePath: string) {
    this.size = statSync(path).size;
  }
  slice(start = 0, end = this.size): Blob {
    const s = Math.max(0, Math.min(this.size, start)), e = Math.max(s, Math.min(this.size, end));
    const buf = Buffer.alloc(e - s);
    const fd = openSync(this.path, 'r');
    try {
      let at = 0;
      while (at < buf.length) {
        const n = readSync(fd, buf, at, buf.length - at, s + at);
        if (n <= 0) break;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    return new Blob([buf]);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = readFileSync(this.path);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}

function walk(dir: string, root: string, out: FileLike[]): void {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.name.startsWith('.')) continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p, root, out);
    else if (d.isFile()) out.push(new DiskFile(p, d.name, relative(root, p)));
  }
}

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export async function main(argv: string[], io: CliIo = { stdout: (l) => process.stdout.write(`${l}\n`), stderr: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  const args = [...argv];
  if (args[0] === '-h' || args[0] === '--help') {
    io.stdout(USAGE);
    return 0;
  }
  if (args[0] === 'analyze') args.shift();
  else {
    io.stderr(USAGE);
    return 2;
  }
  const inputs: string[] = [];
  const planPaths: string[] = [];
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--plan' || a === '--out') {
      const v = args[++i];
      if (!v) {
        io.stderr(`${a} needs a file name\n${USAGE}`);
        return 2;
      }
      if (a === '--plan') planPaths.push(v);
      else out = v;
    } else if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (a.startsWith('--')) {
      io.stderr(`unknown option ${a}\n${USAGE}`);
      return 2;
    } else inputs.push(a);
  }
  if (!out || inputs.length === 0) {
    io.stderr(USAGE);
    return 2;
  }
  const plans: PlanInput[] = [];
  for (const p of planPaths) {
    try {
      plans.push({ name: basename(p), bytes: new Uint8Array(readFileSync(p)) });
    } catch (err) {
      io.stderr(`the plan ${p} cannot be read: ${(err as Error).message}`);
      return 2;
    }
  }
  const groups: InputGroup[] = [];
  const loose: FileLike[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = statSync(input);
    } catch {
      missing.push(input);
      continue;
    }
    if (st.isDirectory()) {
      const files: FileLike[] = [];
      walk(resolve(input), resolve(input), files);
      groups.push({ name: input, files });
    } else loose.push(new DiskFile(resolve(input), basename(input), basename(input)));
  }
  if (loose.length) groups.push({ name: loose.length === 1 ? inputs.find((i) => basename(i) === loose[0]!.name) ?? loose[0]!.name : `${dirname(inputs.find((i) => !missing.includes(i) && !statSync(i).isDirectory()) ?? '.')} (${loose.length} files)`, files: loose });
  const result = await analyze(groups, { plans, log: io.stdout });
  for (const m of missing) {
    result.rows.push({ kind: 'skipped', input: m, reason: 'no such file or folder' });
    result.skipped++;
    io.stderr(`skipped ${m}: no such file or folder`);
  }
  writeFileSync(out, toCsv(result.rows));
  io.stdout(`${result.studies} ${result.studies === 1 ? 'study' : 'studies'} analysed, ${result.skipped} skipped; ${result.rows.filter((r) => r.kind === 'lesion').length} lesion and ${result.rows.filter((r) => r.kind === 'needle').length} needle rows written to ${out}`);
  return result.skipped > 0 || result.unusedPlans.length > 0 ? 1 : 0;
}
