/**
 * Access to ../shared (phantom generator and real third-party data) for tests.
 *
 * Where ../shared or its Python dependencies are missing, tests skip with a visible reason;
 * with CI=true they fail instead (a CI run must never pass by skipping the ground truth).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, renameSync, appendFileSync, statSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const sharedDir = process.env.SACROPLAN_SHARED ?? resolve(repoRoot, '..', 'shared');
export const isCI = process.env.CI === 'true' || process.env.CI === '1';
export const PYTHON = process.env.SACROPLAN_PYTHON ?? '/usr/bin/python3';

/**
 * The environment of the Python generators (make_phantom.py and the test/phantom-tools scripts). glibc's malloc
 * otherwise hands the freed blocks of numpy's per-slice temporaries (MBs each) back to the kernel (mmap threshold,
 * heap trim) and has them mapped and zeroed anew for the next slice: 8.0 of make_phantom.py's 37 s of CPU were system
 * time on a 250x225x40 config (custom-914104d456e6 of the cold CI cache). Kept in the heap (no mmap below 4 GB, no
 * trim, 256 MB grown at a time) the same run took 24-25 s of CPU (1.3-1.5 s system), 22.6 -> 14.0 s on a 200x180x84
 * one, peak memory 245 -> 256 MB, the files byte-identical (md5 of every file). Measured on the loaded 2-core machine
 * (load 8-21), so figures are upper bounds; the variables change where memory comes from, never the arithmetic.
 */
export function generatorEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_MMAP_THRESHOLD_: '4294967296', MALLOC_TRIM_THRESHOLD_: '4294967296', MALLOC_TOP_PAD_: '268435456', ...extra };
}

/** Why ../shared cannot be used, or null when it can. */
export function sharedUnavailableReason(needPython = false): string | null {
  if (!existsSync(sharedDir)) return `../shared not found at ${sharedDir}`;
  // the import check costs a Python start with numpy, scipy and pydicom (0.5 s of CPU, measured), once per test file
  // that asks (59 files): test/global-setup.ts makes it once and the workers it starts inherit the answer
  if (needPython && process.env.SACROPLAN_PYTHON_CHECKED !== PYTHON) {
    try {
      execFileSync(PYTHON, ['-c', 'import numpy, scipy, pydicom'], { stdio: 'pipe' });
    } catch {
      return `${PYTHON} lacks numpy/scipy/pydicom (apt-get install python3-numpy python3-scipy python3-pydicom)`;
    }
    process.env.SACROPLAN_PYTHON_CHECKED = PYTHON;
  }
  return null;
}

/**
 * Call at the top of a describe block: returns true when the suite may run.
 * Prints the skip reason; throws under CI so that a missing oracle fails the run.
 */
export function requireShared(needPython = false): boolean {
  const reason = sharedUnavailableReason(needPython);
  if (reason === null) return true;
  if (isCI) throw new Error(`CI=true but the shared test data is unusable: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return false;
}

export const phantomCacheRoot = process.env.SACROPLAN_PHANTOM_CACHE ?? join(tmpdir(), 'sacroplan-phantoms');

/**
 * Generate (once, cached under /tmp by config content and seed) a phantom series with
 * ../shared/phantom/make_phantom.py. `config` is a path under shared/phantom/configs or an object.
 * Returns the output folder: DIR/dicom/*.dcm and DIR/truth.json.
 */
export function ensurePhantom(config: string | Record<string, unknown>, seed = 1, labels = false): string {
  const p = phantomJob(config, seed, labels);
  return p.cached ?? buildOnce(p.job.out, 'truth.json', (tmp) => runJob(p.job, tmp));
}

/**
 * ensurePhantom for several noise seeds of one config: the seeds that are neither cached nor being made elsewhere are
 * made in one Python process by test/phantom-tools/seeds.py, which computes the tissue labels and the truth (the same
 * for every seed) once and reuses them: each seed's folder is make_phantom.py's own, byte for byte (md5 of every file
 * of default.json seeds 2 and 3 against make_phantom.py's), cached under the same key. Seeds 2 and 3 of default.json
 * took 21.4 s of CPU together where one alone takes 25-31 s (loaded 2-core machine, upper bounds).
 */
export function ensurePhantomSeeds(config: string | Record<string, unknown>, seeds: readonly number[]): string[] {
  const batch = seedBatch(config, seeds);
  if (batch) {
    let ok = false;
    try {
      execFileSync(PYTHON, batch.args, { ...batch.opts, stdio: 'pipe' });
      ok = true;
    } finally {
      batch.finish(ok);
    }
  }
  return seeds.map((seed) => ensurePhantom(config, seed));
}

/** ensurePhantomSeeds for the global setup, where batches run side by side. */
export async function ensurePhantomSeedsAsync(config: string | Record<string, unknown>, seeds: readonly number[]): Promise<void> {
  const batch = seedBatch(config, seeds);
  if (batch) {
    let ok = false;
    try {
      await new Promise<void>((resolve, reject) => execFile(PYTHON, batch.args, batch.opts, (err) => (err ? reject(err) : resolve())));
      ok = true;
    } finally {
      batch.finish(ok);
    }
  }
  await ensurePhantomsAsync(seeds.map(() => config), { seeds });
}

/**
 * The seeds.py run for the seeds of `config` that this process now holds the locks of (null when fewer than two: a
 * lone seed is made by make_phantom.py itself); `finish` publishes the folders (or drops them) and releases the locks.
 */
function seedBatch(config: string | Record<string, unknown>, seeds: readonly number[]): { args: string[]; opts: GenJob['opts']; finish: (ok: boolean) => void } | null {
  const mine = seeds.map((seed) => phantomJob(config, seed, false)).filter((p) => !p.cached && lockStep(p.job.out, 'truth.json') === 'ours');
  if (mine.length < 2) {
    for (const p of mine) releaseBuild(p.job.out, '', false);
    return null;
  }
  const t0 = Date.now();
  const tmps = mine.map((p) => `${p.job.out}.tmp-${process.pid}-${t0}`);
  mine[0]!.job.prepare?.();
  const args = [join(repoRoot, 'test', 'phantom-tools', 'seeds.py'), '--config', mine[0]!.cfgPath, '--labels'];
  mine.forEach((p, i) => args.push('--seed', String(p.seed), '--out', tmps[i]!));
  return {
    args,
    opts: { ...mine[0]!.job.opts, env: generatorEnv({ SACROPLAN_SHARED: sharedDir }) },
    finish: (ok) => {
      let published = 0;
      try {
        // the run log gets the batch's time once, on its first seed
        if (ok) for (const [i, p] of mine.entries()) { publishBuilt(p.job.out, tmps[i]!, i === 0 ? t0 : Date.now()); published++; }
      } finally {
        mine.forEach((p, i) => releaseBuild(p.job.out, tmps[i]!, i >= published));
      }
    },
  };
}

/**
 * ensurePhantom for several shared configs at once, the generators running side by side (test/global-setup.ts:
 * on a cold cache they would otherwise run one after another on one core before any test starts).
 */
export async function ensurePhantomsAsync(configs: readonly (string | Record<string, unknown>)[], o: { oneAtATime?: boolean; signal?: AbortSignal; seeds?: readonly number[] } = {}): Promise<void> {
  const one = async (c: string | Record<string, unknown>, i: number): Promise<void> => {
    if (o.signal?.aborted) return;
    const p = phantomJob(c, o.seeds?.[i] ?? 1, false);
    if (p.cached) return;
    await buildOnceAsync(p.job.out, 'truth.json', (tmp) => {
      p.job.prepare?.();
      return new Promise<void>((resolve, reject) => execFile(p.job.cmd, p.job.args(tmp), { ...p.job.opts, ...(o.signal ? { signal: o.signal } : {}) }, (err) => (err ? reject(err) : resolve())));
    });
  };
  if (o.oneAtATime) for (const [i, c] of configs.entries()) await one(c, i);
  else await Promise.all(configs.map(one));
}

interface GenJob {
  out: string;
  prepare?: () => void;
  cmd: string;
  args: (tmp: string) => string[];
  opts: { cwd: string; timeout: number; maxBuffer: number; env: NodeJS.ProcessEnv };
}

function runJob(job: GenJob, tmp: string): void {
  job.prepare?.();
  execFileSync(job.cmd, job.args(tmp), { ...job.opts, stdio: 'pipe' });
}

/** Where a make_phantom.py series is cached and how it is made; `cached`: a folder that already holds it. */
function phantomJob(config: string | Record<string, unknown>, seed: number, labels: boolean): { cached: string | null; job: GenJob; cfgPath: string; seed: number } {
  const phantomDir = join(sharedDir, 'phantom');
  const cfgText = typeof config === 'string' ? readFileSync(join(phantomDir, 'configs', config), 'utf8') : JSON.stringify(config);
  const script = readFileSync(join(phantomDir, 'make_phantom.py'), 'utf8');
  const keyOf = (withLabels: boolean) => createHash('sha1').update(cfgText).update(String(seed)).update(String(withLabels)).update(script).digest('hex').slice(0, 12);
  const prefix = (typeof config === 'string' ? config.replace(/\.json$/, '') : 'custom') + '-';
  // --labels only adds labels.npy beside the same series and truth (make_phantom.py), so every phantom is made with
  // them, under the labels key: a config asked for with and without labels (osteopenic, thick3mm, the MR configs) is
  // generated once (about 15 s of CPU each). A series cached earlier without labels is still used where labels are
  // not asked for.
  const out = join(phantomCacheRoot, prefix + keyOf(true));
  let cached: string | null = existsSync(join(out, 'truth.json')) ? out : null;
  if (!cached && !labels) {
    const without = join(phantomCacheRoot, prefix + keyOf(false));
    if (existsSync(join(without, 'truth.json'))) cached = without;
  }
  const cfgPath = typeof config === 'string' ? join(phantomDir, 'configs', config) : `${out}.config.json`;
  return {
    cached,
    cfgPath,
    seed,
    job: {
      out,
      ...(typeof config === 'string' ? {} : { prepare: () => writeFileSync(cfgPath, cfgText) }),
      cmd: PYTHON,
      args: (tmp) => [join(phantomDir, 'make_phantom.py'), '--out', tmp, '--config', cfgPath, '--seed', String(seed), '--labels'],
      opts: { cwd: phantomDir, timeout: 600_000, maxBuffer: 64 * 1024 * 1024, env: generatorEnv() },
    },
  };
}

/** Generate (cached) the bad-input set of make_bad_inputs.py. */
export function ensureBadInputs(): string {
  const phantomDir = join(sharedDir, 'phantom');
  const script = readFileSync(join(phantomDir, 'make_bad_inputs.py'), 'utf8');
  const key = createHash('sha1').update(script).digest('hex').slice(0, 12);
  return buildOnce(join(phantomCacheRoot, `bad-${key}`), 'manifest.json', (tmp) => {
    execFileSync(PYTHON, [join(phantomDir, 'make_bad_inputs.py'), '--out', tmp], { stdio: 'pipe', cwd: phantomDir, timeout: 600_000, env: generatorEnv() });
  });
}

/** Blocks the calling thread (test workers generate synchronously too). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock folder left by a process that is gone (killed mid-generation), or one without its owner after 60 s. */
function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return false; // alive, another user's
    try {
      return !existsSync(join(lock, 'pid')) ? Date.now() - statSync(lock).mtimeMs > 60_000 : true;
    } catch {
      return false; // the lock went away meanwhile
    }
  }
}

/**
 * One try at making `out` (`marker`: the file whose presence says the folder is complete): 'built' when it is there,
 * 'ours' when this process now holds its lock folder and makes it, 'wait' while another process holds the lock. Test
 * files run in parallel workers (and the shared cache serves several checkouts), so the lock makes a second caller
 * wait for the first one's result instead of running the same generator again.
 */
function lockStep(out: string, marker: string): 'built' | 'ours' | 'wait' {
  if (existsSync(join(out, marker))) return 'built';
  mkdirSync(phantomCacheRoot, { recursive: true });
  const lock = `${out}.lock`;
  try {
    mkdirSync(lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (existsSync(join(out, marker))) return 'built';
    if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
    return 'wait';
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  if (existsSync(join(out, marker))) {
    rmSync(lock, { recursive: true, force: true });
    return 'built';
  }
  return 'ours';
}

/** With the lock held: `build` writes a temporary folder, which is then moved to `out`; the lock is released either way. */
function publishBuilt(out: string, tmp: string, t0: number): void {
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  logGenerated(out, Date.now() - t0);
}
function releaseBuild(out: string, tmp: string, failed: boolean): void {
  if (failed) rmSync(tmp, { recursive: true, force: true });
  rmSync(`${out}.lock`, { recursive: true, force: true });
}

/** Makes a cached folder once (see lockStep), blocking: test files generate synchronously. */
function buildOnce(out: string, marker: string, build: (tmp: string) => void): string {
  for (;;) {
    const step = lockStep(out, marker);
    if (step === 'built') return out;
    if (step === 'ours') break;
    sleepSync(200);
  }
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`, t0 = Date.now();
  let failed = true;
  try {
    build(tmp);
    publishBuilt(out, tmp, t0);
    failed = false;
    return out;
  } finally {
    releaseBuild(out, tmp, failed);
  }
}

/** buildOnce for the global setup, whose generators run side by side. */
async function buildOnceAsync(out: string, marker: string, build: (tmp: string) => Promise<void>): Promise<void> {
  for (;;) {
    const step = lockStep(out, marker);
    if (step === 'built') return;
    if (step === 'ours') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`, t0 = Date.now();
  let failed = true;
  try {
    await build(tmp);
    publishBuilt(out, tmp, t0);
    failed = false;
  } finally {
    releaseBuild(out, tmp, failed);
  }
}

/** Where test/global-setup.ts collects what the run had to generate (SACROPLAN_PHANTOM_LOG; one JSON line each). */
function logGenerated(out: string, ms: number): void {
  const log = process.env.SACROPLAN_PHANTOM_LOG;
  if (log) appendFileSync(log, JSON.stringify({ name: out.slice(phantomCacheRoot.length + 1), ms, pid: process.pid }) + '\n');
}

export function readTruth(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
}

/** Files of a folder (non-recursive, sorted by name) as node File objects. */
export function filesIn(dir: string): File[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort()
    .map((name) => new File([readFileSync(join(dir, name))], name));
}

/** How test/phantom-tools/retilt.py relabels a generated phantom (see that script). */
export interface PhantomMove {
  /** ImageOrientationPatient written on the same voxels (default: the generator's own). */
  iop?: readonly [number, number, number, number, number, number];
  /** PatientPosition written (default: the generator's HFS). */
  patientPosition?: string;
}

/**
 * A phantom whose anatomy is rigidly moved in patient space (tilted pelvis, prone patient): the generator's
 * series (ensurePhantom, cached) relabelled by test/phantom-tools/retilt.py, which moves every truth position
 * the same way and checks truth against voxels (foramen centres dark, lesion centres at the lesion HU).
 * Cached under /tmp by config, seed and both scripts.
 */
export function ensureMovedPhantom(config: string | Record<string, unknown>, move: PhantomMove, seed = 1): string {
  const src = ensurePhantom(config, seed);
  const script = join(repoRoot, 'test', 'phantom-tools', 'retilt.py');
  const key = createHash('sha1').update(src).update(readFileSync(script, 'utf8')).update(JSON.stringify(move)).digest('hex').slice(0, 12);
  return buildOnce(`${src}-moved-${key}`, 'truth.json', (tmp) => {
    const args = [script, src, tmp, '--check'];
    if (move.iop) args.push('--iop', move.iop.join(','));
    if (move.patientPosition) args.push('--patient-position', move.patientPosition);
    execFileSync(PYTHON, args, { stdio: 'pipe', timeout: 300_000, env: generatorEnv() });
  });
}

/** How test/phantom-tools/asymmetric.py changes the generator's sacrum: its left foramina moved and scaled. */
export interface SacrumAsymmetry {
  /** Along the sacral arc, mm (+ caudal). */
  dsMm: number;
  /** Laterally, mm. */
  dxMm: number;
  /** Radius factor. */
  radiusScale: number;
}

/**
 * A phantom whose sacrum is not a mirror image: make_phantom.py run by test/phantom-tools/asymmetric.py with
 * the left foramina moved and scaled in its model (every truth value follows; checked against the voxels).
 * Cached under /tmp by config, seed, the asymmetry and both scripts.
 */
export function ensureAsymmetricPhantom(config: Record<string, unknown>, asym: SacrumAsymmetry, seed = 1): string {
  return runModelTool({ prefix: 'asym', script: 'asymmetric.py', config, seed, keyParts: [JSON.stringify(asym)],
    args: ['--ds', String(asym.dsMm), '--dx', String(asym.dxMm), '--scale', String(asym.radiusScale)] });
}

/** How test/phantom-tools/funnel.py flares the anterior foramen openings. */
export interface FunnelOpenings {
  /** Radius at the anterior opening / the tunnel's radius. */
  flare: number;
  /** Over how many mm inside the opening the funnel widens. */
  lengthMm: number;
}

/**
 * A phantom whose anterior foramen openings are funnels (as on real CT): make_phantom.py run by
 * test/phantom-tools/funnel.py with a cone united to each foramen in its model (truth openings, radii and
 * distances stay the tunnel's; the voxels checked to flare). Cached under /tmp by config, seed, funnel and scripts.
 */
export function ensureFunnelPhantom(config: Record<string, unknown>, funnel: FunnelOpenings, seed = 1): string {
  return runModelTool({ prefix: 'funnel', script: 'funnel.py', config, seed, keyParts: [JSON.stringify(funnel)], alsoReads: ['retilt.py'],
    args: ['--flare', String(funnel.flare), '--length', String(funnel.lengthMm)] });
}

/** How test/phantom-tools/skewed-funnel.py flares the anterior openings and turns them to the side. */
export interface SkewedFunnelOpenings extends FunnelOpenings {
  /** How far lateral of the tunnel's axis the funnel's mouth is centred (mm). */
  skewMm: number;
  /** The S1 tunnels' radius (mm; the generator's 4.5 when absent). */
  s1RadiusMm?: number;
  /** Levels whose tunnels lose their cortical lining behind the funnel (comma-separated, e.g. 'S1'). */
  unlined: string;
}

/**
 * A phantom whose anterior openings are funnels turning laterally, the tunnels of some levels walled by trabecular
 * bone behind them (as on real fatty CT): make_phantom.py run by test/phantom-tools/skewed-funnel.py (truth openings,
 * radii and distances stay the tunnel's; the voxels checked to flare and to open to the side). Cached under /tmp by
 * config, seed, funnel and scripts.
 */
export function ensureSkewedFunnelPhantom(config: Record<string, unknown>, f: SkewedFunnelOpenings, seed = 1): string {
  return runModelTool({ prefix: 'skewfunnel', script: 'skewed-funnel.py', config, seed, keyParts: [JSON.stringify(f)], alsoReads: ['retilt.py', 'funnel.py', 'measure_flare.py'],
    args: ['--flare', String(f.flare), '--length', String(f.lengthMm), '--skew', String(f.skewMm), '--s1-radius', String(f.s1RadiusMm ?? 0), '--unlined', f.unlined] });
}

/**
 * A phantom whose sacrum lies flat under an upright L5: make_phantom.py run by test/phantom-tools/flat-sacrum.py with
 * the sacral arc's top angle raised by `deltaDeg` (the sacrum turned about its S1 endplate centre; every truth value
 * follows; checked against the voxels). Cached under /tmp by config, seed, the angle and the scripts.
 */
export function ensureFlatSacrumPhantom(config: Record<string, unknown>, deltaDeg: number, seed = 1): string {
  return runModelTool({ prefix: 'flat', script: 'flat-sacrum.py', config, seed, keyParts: [String(deltaDeg)], args: ['--delta', String(deltaDeg)] });
}

/**
 * A phantom whose sacrum is bent sideways below the S2/S3 junction: make_phantom.py run by
 * test/phantom-tools/bent-sacrum.py with the sacral frame's lateral coordinate moved by a drift that grows to `driftMm`
 * at S4's foramina (to the patient's right; every truth value follows; checked against the voxels; truth.bent holds
 * each level's midline x). Cached under /tmp by config, seed, the drift and the scripts.
 */
export function ensureBentSacrumPhantom(config: Record<string, unknown>, driftMm: number, seed = 1): string {
  return runModelTool({ prefix: 'bent', script: 'bent-sacrum.py', config, seed, keyParts: [String(driftMm)], alsoReads: ['retilt.py'], args: ['--drift', String(driftMm)] });
}

/**
 * Runs a test/phantom-tools script that swaps the generator's sacrum model and then runs make_phantom.py
 * (asymmetric.py, bent-sacrum.py, flat-sacrum.py, funnel.py, skewed-funnel.py), with --check, and caches the phantom under /tmp by `prefix`
 * and a hash of the config, seed, `keyParts`, the script, the other tool scripts it imports (_tools.py, which every
 * such tool imports, and `alsoReads`) and the generator's two files.
 */
function runModelTool(o: { prefix: string; script: string; config: Record<string, unknown>; seed: number; keyParts: string[]; alsoReads?: string[]; args: string[] }): string {
  const phantomDir = join(sharedDir, 'phantom');
  const tools = join(repoRoot, 'test', 'phantom-tools');
  const script = join(tools, o.script);
  const cfgText = JSON.stringify(o.config);
  const hash = createHash('sha1').update(cfgText).update(String(o.seed));
  for (const k of o.keyParts) hash.update(k);
  hash.update(readFileSync(script, 'utf8'));
  for (const f of ['_tools.py', ...(o.alsoReads ?? [])]) hash.update(readFileSync(join(tools, f), 'utf8'));
  hash.update(readFileSync(join(phantomDir, 'make_phantom.py'), 'utf8')).update(readFileSync(join(phantomDir, 'sacrum_geometry.py'), 'utf8'));
  const key = hash.digest('hex').slice(0, 12);
  return buildOnce(join(phantomCacheRoot, `${o.prefix}-${key}`), 'truth.json', (tmp) => {
    const cfgPath = join(phantomCacheRoot, `${o.prefix}-${key}.config.json`);
    writeFileSync(cfgPath, cfgText);
    execFileSync(PYTHON, [script, '--out', tmp, '--config', cfgPath, '--seed', String(o.seed), ...o.args, '--check'],
      { stdio: 'pipe', timeout: 900_000, env: generatorEnv({ SACROPLAN_SHARED: sharedDir }) });
  });
}

/**
 * A real scan with lesions of known shape and volume implanted into its sacral marrow by
 * test/phantom-tools/implant.py (CONFIG: a file of test/phantom-tools/implants/). Cached under /tmp by
 * the config, the script (and its series reader) and the source scan's folder; the script's placement checks (marrow only,
 * inside the sacrum) must pass or it fails. Returns the folder: dicom/ or ct.nii.gz, and truth.json.
 */
export function ensureImplanted(config: string): string {
  const script = join(repoRoot, 'test', 'phantom-tools', 'implant.py');
  const cfgPath = join(repoRoot, 'test', 'phantom-tools', 'implants', config);
  const key = createHash('sha1').update(readFileSync(cfgPath, 'utf8')).update(readFileSync(script, 'utf8')).update(readFileSync(join(repoRoot, 'test', 'phantom-tools', 'dicom_series.py'), 'utf8')).update(sharedDir).digest('hex').slice(0, 12);
  return buildOnce(join(phantomCacheRoot, `implant-${config.replace(/\.json$/, '')}-${key}`), 'truth.json', (tmp) => {
    execFileSync(PYTHON, [script, cfgPath, tmp], { stdio: 'pipe', timeout: 300_000, env: generatorEnv({ SACROPLAN_SHARED: sharedDir }) });
  });
}
