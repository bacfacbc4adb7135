/**
 * Access to ../shared (phantom generator and real third-party data) for tests.
 *
 * Where ../shared or its Python dependencies are missing, tests skip with a visible reason;
 * with CI=true they fail instead (a CI run must never pass by skipping the ground truth).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const sharedDir = process.env.SACROPLAN_SHARED ?? resolve(repoRoot, '..', 'shared');
export const isCI = process.env.CI === 'true' || process.env.CI === '1';
export const PYTHON = process.env.SACROPLAN_PYTHON ?? '/usr/bin/python3';

/** Why ../shared cannot be used, or null when it can. */
export function sharedUnavailableReason(needPython = false): string | null {
  if (!existsSync(sharedDir)) return `../shared not found at ${sharedDir}`;
  if (needPython) {
    try {
      execFileSync(PYTHON, ['-c', 'import numpy, scipy, pydicom'], { stdio: 'pipe' });
    } catch {
      return `${PYTHON} lacks numpy/scipy/pydicom (apt-get install python3-numpy python3-scipy python3-pydicom)`;
    }
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
  const phantomDir = join(sharedDir, 'phantom');
  const cfgText = typeof config === 'string' ? readFileSync(join(phantomDir, 'configs', config), 'utf8') : JSON.stringify(config);
  const script = readFileSync(join(phantomDir, 'make_phantom.py'), 'utf8');
  const key = createHash('sha1').update(cfgText).update(String(seed)).update(String(labels)).update(script).digest('hex').slice(0, 12);
  const name = (typeof config === 'string' ? config.replace(/\.json$/, '') : 'custom') + '-' + key;
  const out = join(phantomCacheRoot, name);
  if (existsSync(join(out, 'truth.json'))) return out;
  mkdirSync(phantomCacheRoot, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  let cfgPath: string;
  if (typeof config === 'string') cfgPath = join(phantomDir, 'configs', config);
  else {
    cfgPath = join(phantomCacheRoot, `${name}.config.json`);
    writeFileSync(cfgPath, cfgText);
  }
  const args = [join(phantomDir, 'make_phantom.py'), '--out', tmp, '--config', cfgPath, '--seed', String(seed)];
  if (labels) args.push('--labels');
  execFileSync(PYTHON, args, { stdio: 'pipe', cwd: phantomDir, timeout: 600_000 });
  return publishPhantom(tmp, out);
}

/** Generate (cached) the bad-input set of make_bad_inputs.py. */
export function ensureBadInputs(): string {
  const phantomDir = join(sharedDir, 'phantom');
  const script = readFileSync(join(phantomDir, 'make_bad_inputs.py'), 'utf8');
  const key = createHash('sha1').update(script).digest('hex').slice(0, 12);
  const out = join(phantomCacheRoot, `bad-${key}`);
  if (existsSync(join(out, 'manifest.json'))) return out;
  mkdirSync(phantomCacheRoot, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  execFileSync(PYTHON, [join(phantomDir, 'make_bad_inputs.py'), '--out', tmp], { stdio: 'pipe', cwd: phantomDir, timeout: 600_000 });
  if (existsSync(join(out, 'manifest.json'))) {
    rmSync(tmp, { recursive: true, force: true });
    return out;
  }
  renameSync(tmp, out);
  return out;
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
  const out = `${src}-moved-${key}`;
  if (existsSync(join(out, 'truth.json'))) return out;
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  const args = [script, src, tmp, '--check'];
  if (move.iop) args.push('--iop', move.iop.join(','));
  if (move.patientPosition) args.push('--patient-position', move.patientPosition);
  execFileSync(PYTHON, args, { stdio: 'pipe', timeout: 300_000 });
  return publishPhantom(tmp, out);
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
 * Runs a test/phantom-tools script that swaps the generator's sacrum model and then runs make_phantom.py
 * (asymmetric.py, funnel.py, flat-sacrum.py), with --check, and caches the phantom under /tmp by `prefix`
 * and a hash of the config, seed, `keyParts`, the script, the other tool scripts it imports (`alsoReads`)
 * and the generator's two files.
 */
function runModelTool(o: { prefix: string; script: string; config: Record<string, unknown>; seed: number; keyParts: string[]; alsoReads?: string[]; args: string[] }): string {
  const phantomDir = join(sharedDir, 'phantom');
  const tools = join(repoRoot, 'test', 'phantom-tools');
  const script = join(tools, o.script);
  const cfgText = JSON.stringify(o.config);
  const hash = createHash('sha1').update(cfgText).update(String(o.seed));
  for (const k of o.keyParts) hash.update(k);
  hash.update(readFileSync(script, 'utf8'));
  for (const f of o.alsoReads ?? []) hash.update(readFileSync(join(tools, f), 'utf8'));
  hash.update(readFileSync(join(phantomDir, 'make_phantom.py'), 'utf8')).update(readFileSync(join(phantomDir, 'sacrum_geometry.py'), 'utf8'));
  const key = hash.digest('hex').slice(0, 12);
  const out = join(phantomCacheRoot, `${o.prefix}-${key}`);
  if (existsSync(join(out, 'truth.json'))) return out;
  mkdirSync(phantomCacheRoot, { recursive: true });
  const cfgPath = join(phantomCacheRoot, `${o.prefix}-${key}.config.json`);
  writeFileSync(cfgPath, cfgText);
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  execFileSync(PYTHON, [script, '--out', tmp, '--config', cfgPath, '--seed', String(o.seed), ...o.args, '--check'],
    { stdio: 'pipe', timeout: 900_000, env: { ...process.env, SACROPLAN_SHARED: sharedDir } });
  return publishPhantom(tmp, out);
}

/**
 * Moves a freshly written phantom folder into its cache place. Another test process may have
 * finished the same phantom meanwhile: then its copy is kept and ours is dropped.
 */
function publishPhantom(tmp: string, out: string): string {
  if (existsSync(join(out, 'truth.json'))) {
    rmSync(tmp, { recursive: true, force: true });
    return out;
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
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
  const out = join(phantomCacheRoot, `implant-${config.replace(/\.json$/, '')}-${key}`);
  if (existsSync(join(out, 'truth.json'))) return out;
  mkdirSync(phantomCacheRoot, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  execFileSync(PYTHON, [script, cfgPath, tmp], { stdio: 'pipe', timeout: 300_000, env: { ...process.env, SACROPLAN_SHARED: sharedDir } });
  return publishPhantom(tmp, out);
}
