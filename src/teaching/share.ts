/**
 * Share links (pure): a built-in case, a presenter step and a plan (the needles), all in the link
 * itself so that nothing is uploaded. The link's fragment is `#share=<payload>.<crc>`: the payload is
 * base64url of a small JSON document, crc its CRC-32 (the one the plan files are sealed with).
 * Reading checks everything a plan file's needles are checked for (case/plan-file.ts): the format
 * and version, the case and the step, every needle's catalogue id, approach and finite LPS
 * coordinates within the image's reach. A link that fails any check opens nothing and says why.
 */
import type { Vec3 } from '../core/vec3';
import { strFromU8, strToU8 } from 'fflate';
import { crc32 } from '../case/plan-file';
import { APPROACH_NAMES, type ApproachName } from '../planning/types';
import { findNeedle } from '../planning/needles';
import { findTeachingCase } from './cases';
import { PRESENTER_STEPS } from './presenter';

export const SHARE_FORMAT = 'sacroplan-share';
export const SHARE_VERSION = 1;
/** [design] A link carries at most this many needles (the study used 1-3 per lesion). */
export const SHARE_MAX_NEEDLES = 8;
/** [design] Coordinates farther than this from the origin cannot be on the library's images (their field of view is within ±110 mm). */
const SHARE_MAX_ABS_MM = 1000;

export interface SharedNeedle {
  needle: string;
  approach: ApproachName | null;
  entryLps: Vec3;
  targetLps: Vec3;
}

export interface SharedCase {
  caseId: string;
  /** Index into PRESENTER_STEPS. */
  step: number;
  needles: SharedNeedle[];
}

export class ShareLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShareLinkError';
  }
}

/** base64url (RFC 4648 §5) without padding; written here because the pure layers have no DOM (btoa). */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += B64[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShareLinkError('the link is damaged: its plan holds characters a share link never has');
  if (text.length % 4 === 1) throw new ShareLinkError('the link is damaged: its plan is cut short');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0, bits = 0, o = 0;
  for (const ch of text) {
    acc = ((acc << 6) | B64.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
  }
  return out;
}

/** The fragment (without '#') for a shared case. */
export function encodeShare(s: SharedCase): string {
  const doc = { format: SHARE_FORMAT, version: SHARE_VERSION, case: s.caseId, step: s.step, needles: s.needles.map((n) => ({ needle: n.needle, approach: n.approach, entryLps: n.entryLps.map(r3), targetLps: n.targetLps.map(r3) })) };
  const bytes = strToU8(JSON.stringify(doc));
  return `share=${toBase64Url(bytes)}.${crc32(bytes).toString(16).padStart(8, '0')}`;
}

/** Coordinates to 0.001 mm (a link stays short; a micrometre is far below any check's tolerance). */
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Whether a URL fragment holds a share link. */
export function isShareFragment(hash: string): boolean {
  return /^#?share=/.test(hash);
}

/** Reads and checks a share fragment ('#share=…' or 'share=…'); throws ShareLinkError with the reason. */
export function decodeShare(hash: string): SharedCase {
  const m = /^#?share=([^.]*)\.([0-9a-fA-F]*)$/.exec(hash.trim());
  if (!m) throw new ShareLinkError('the link is damaged: it should end in "#share=<plan>.<checksum>" (was it cut short?)');
  const bytes = fromBase64Url(m[1]!);
  if (m[2]!.length !== 8) throw new ShareLinkError('the link is damaged: its checksum is missing or cut short');
  const crc = crc32(bytes).toString(16).padStart(8, '0');
  if (crc !== m[2]!.toLowerCase()) throw new ShareLinkError(`the link was changed or damaged: its checksum is ${m[2]} but its plan gives ${crc}`);
  let text: string, doc: unknown;
  try { text = strFromU8(bytes); doc = JSON.parse(text); } catch { throw new ShareLinkError('the link is damaged: its plan is not readable JSON'); }
  if (!isObject(doc)) throw new ShareLinkError('the link is damaged: its plan is not an object');
  if (doc.format !== SHARE_FORMAT) throw new ShareLinkError(`not a SacroPlan share link (format ${JSON.stringify(doc.format)})`);
  if (doc.version !== SHARE_VERSION) throw new ShareLinkError(typeof doc.version === 'number' && doc.version > SHARE_VERSION ? `the link was made by a newer SacroPlan (format ${doc.version}; this one reads ${SHARE_VERSION})` : `unknown share format version ${JSON.stringify(doc.version)}`);
  if (typeof doc.case !== 'string' || !findTeachingCase(doc.case)) throw new ShareLinkError(`the link names no built-in case (${JSON.stringify(doc.case)})`);
  if (!Number.isInteger(doc.step) || (doc.step as number) < 0 || (doc.step as number) >= PRESENTER_STEPS.length) throw new ShareLinkError(`the link's step ${JSON.stringify(doc.step)} is not one of the ${PRESENTER_STEPS.length} presenter steps`);
  if (!Array.isArray(doc.needles)) throw new ShareLinkError('the link\'s plan has no needle list');
  if (doc.needles.length > SHARE_MAX_NEEDLES) throw new ShareLinkError(`the link holds ${doc.needles.length} needles; at most ${SHARE_MAX_NEEDLES}`);
  const needles = doc.needles.map((n: unknown, i: number): SharedNeedle => {
    const where = `needle ${i + 1}`;
    if (!isObject(n)) throw new ShareLinkError(`${where} is not an object`);
    if (typeof n.needle !== 'string' || !findNeedle(n.needle)) throw new ShareLinkError(`${where}: unknown needle ${JSON.stringify(n.needle)}`);
    if (n.approach !== null && !(APPROACH_NAMES as readonly unknown[]).includes(n.approach)) throw new ShareLinkError(`${where}: unknown approach ${JSON.stringify(n.approach)}`);
    const entryLps = vec(n.entryLps, `${where} entry`), targetLps = vec(n.targetLps, `${where} target`);
    if (Math.hypot(entryLps[0] - targetLps[0], entryLps[1] - targetLps[1], entryLps[2] - targetLps[2]) < 1) throw new ShareLinkError(`${where}: entry and target are less than 1 mm apart`);
    return { needle: n.needle, approach: (n.approach as ApproachName | null), entryLps, targetLps };
  });
  const extra = Object.keys(doc).filter((k) => !['format', 'version', 'case', 'step', 'needles'].includes(k));
  if (extra.length) throw new ShareLinkError(`the link's plan has fields a share link never has: ${extra.join(', ')}`);
  return { caseId: doc.case, step: doc.step as number, needles };
}

function vec(v: unknown, what: string): Vec3 {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new ShareLinkError(`${what} must be three finite numbers (LPS mm)`);
  if (v.some((x) => Math.abs(x) > SHARE_MAX_ABS_MM)) throw new ShareLinkError(`${what} lies more than ${SHARE_MAX_ABS_MM} mm from the image origin`);
  return [v[0], v[1], v[2]];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
