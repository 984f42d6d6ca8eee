/**
 * A seeded fuzz corpus made from a few real files: truncations (header, pixel data, inside a
 * fragment), byte flips, absurd dimensions / frames / bits, pixel data shorter than declared,
 * wrong transfer syntaxes, deep and zero-length sequences, empty and non-DICOM files named .dcm.
 * Each case says whether it must be an error or may still decode (a flipped byte in a name is
 * harmless). The same seed gives the same corpus; nothing is committed. Tests only.
 */
import { dicomParser } from '../dicomParserModule.ts';
import { ascii, concat, deepSequence, encodeElement, findElement, sequenceItem, setElement, setTransferSyntax, uint16Value } from './mutateDicom.ts';

export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzCase {
  /** File name, unique, with the extension the file pretends to have. */
  name: string;
  mutation: string;
  bytes: Uint8Array;
  /** True when every reader must refuse it; false when it may still decode (then its values must be sane). */
  mustFail: boolean;
}

/** mulberry32 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
type Mutation = (seed: FuzzSeed, rng: Rng) => { bytes: Uint8Array; mustFail: boolean } | undefined;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const isPng = (s: FuzzSeed) => s.bytes[0] === 0x89 && s.bytes[1] === 0x50;

interface PixelInfo {
  start: number;
  end: number;
  encapsulated: boolean;
  /** Byte ranges of the fragments (encapsulated only). */
  fragments: { start: number; end: number }[];
  syntax: string;
  bitsAllocated: number;
  bitsStored: number;
  frames: number;
}

function pixelInfo(bytes: Uint8Array): PixelInfo {
  const ds = dicomParser.parseDicom(bytes, {});
  const el = ds.elements.x7fe00010;
  return {
    start: el.dataOffset,
    end: el.dataOffset + el.length,
    encapsulated: !!el.encapsulatedPixelData,
    fragments: (el.fragments ?? []).map((f) => ({ start: f.position, end: f.position + f.length })),
    syntax: (ds.string('x00020010') ?? '').replace(/\0/g, '').trim(),
    bitsAllocated: ds.uint16('x00280100') ?? 16,
    bitsStored: ds.uint16('x00280101') ?? 16,
    frames: Number(ds.string('x00280008') ?? 1),
  };
}

function flip(bytes: Uint8Array, rng: Rng, from: number, to: number, count: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < count; i++) out[between(rng, from, Math.max(from, to - 1))] ^= 1 << between(rng, 0, 7);
  return out;
}

const dicomMutations: Record<string, Mutation> = {
  'truncate-header': (s, rng) => ({ bytes: s.bytes.subarray(0, between(rng, 1, pixelInfo(s.bytes).start - 1)), mustFail: true }),
  'truncate-pixels': (s, rng) => {
    const p = pixelInfo(s.bytes);
    // JPEG 2000 is progressive: a cut codestream can still decode to a coarser image.
    return { bytes: s.bytes.subarray(0, between(rng, p.start + 1, p.end - 64)), mustFail: !p.syntax.startsWith('1.2.840.10008.1.2.4.9') };
  },
  'truncate-in-fragment': (s, rng) => {
    const p = pixelInfo(s.bytes);
    if (!p.encapsulated || !p.fragments.length) return undefined;
    const f = pick(rng, p.fragments);
    return { bytes: s.bytes.subarray(0, between(rng, f.start + 1, f.end - 16)), mustFail: !p.syntax.startsWith('1.2.840.10008.1.2.4.9') };
  },
  'flip-header': (s, rng) => ({ bytes: flip(s.bytes, rng, 132, pixelInfo(s.bytes).start, between(rng, 1, 4)), mustFail: false }),
  'flip-pixels': (s, rng) => {
    const p = pixelInfo(s.bytes);
    return { bytes: flip(s.bytes, rng, p.start, p.end, between(rng, 1, 16)), mustFail: false };
  },
  dimensions: (s, rng) => {
    const tag = pick(rng, [0x0010, 0x0011]);
    const current = dicomParser.parseDicom(s.bytes, {}).uint16(`x0028${tag.toString(16).padStart(4, '0')}`);
    let value = pick(rng, [0, 1, 65535, between(rng, 2, 4000)]);
    if (value === current) value++;
    return { bytes: setElement(s.bytes, 0x0028, tag, 'US', uint16Value(value)), mustFail: true };
  },
  frames: (s, rng) => ({ bytes: setElement(s.bytes, 0x0028, 0x0008, 'IS', ascii(pick(rng, ['abc', '0', '-1', '1000000', '1.5']))), mustFail: true }),
  'frames-empty': (s) => {
    // An empty Number of Frames means 1: fine for single-frame seeds only.
    const p = pixelInfo(s.bytes);
    return { bytes: setElement(s.bytes, 0x0028, 0x0008, 'IS', ascii('')), mustFail: p.frames > 1 };
  },
  'bits-allocated': (s, rng) => {
    const p = pixelInfo(s.bytes);
    const value = pick(rng, [1, 8, 12, 32].filter((v) => v !== p.bitsAllocated));
    // Native data no longer matches its length; compressed data then has more bits than allocated (unless BA grew).
    return { bytes: setElement(s.bytes, 0x0028, 0x0100, 'US', uint16Value(value)), mustFail: !p.encapsulated || value < p.bitsStored || value === 12 };
  },
  'bits-stored': (s, rng) => {
    const p = pixelInfo(s.bytes);
    return { bytes: setElement(s.bytes, 0x0028, 0x0101, 'US', uint16Value(pick(rng, [0, p.bitsAllocated + 1, 32, 64]))), mustFail: true };
  },
  'pixel-length': (s, rng) => {
    const p = pixelInfo(s.bytes);
    if (p.encapsulated) return undefined;
    const out = s.bytes.slice();
    const length = Math.floor((p.end - p.start) * pick(rng, [0.25, 0.5, 0.9]));
    new DataView(out.buffer).setUint32(p.start - 4, length - (length % 2), true); // the element says less than it holds
    return { bytes: out, mustFail: true };
  },
  'transfer-syntax': (s, rng) => {
    const p = pixelInfo(s.bytes);
    const native = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'];
    const uid = pick(rng, [...native, '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5', '1.2.3.4.5', '1.2.840.10008.1.2.4.100'].filter((u) => u !== p.syntax));
    const nowNative = native.includes(uid);
    const sure = nowNative !== !p.encapsulated || uid === '1.2.3.4.5' || uid === '1.2.840.10008.1.2.4.100' ||
      (uid === '1.2.840.10008.1.2' && p.syntax === '1.2.840.10008.1.2.1');
    return { bytes: setTransferSyntax(s.bytes, uid), mustFail: sure };
  },
  'deep-sequence': (s) => {
    const at = findElement(s.bytes, 0x0008, 0x0016) ?? findElement(s.bytes, 0x0008, 0x0018);
    if (!at) return undefined;
    return { bytes: concat([s.bytes.subarray(0, at.end), deepSequence(0x0008, 0x1140, 10_000), s.bytes.subarray(at.end)]), mustFail: true };
  },
  'zero-length-sequence': (s, rng) => {
    // A defined-length sequence with one item, its length then zeroed: the item is read as top-level data.
    const item = sequenceItem(encodeElement(0x0008, 0x1150, 'UI', ascii('1.2.840.10008.5.1.4.1.1.2')));
    const tag = pick(rng, [0x1140, 0x1110, 0x1032]);
    return { bytes: setElement(s.bytes, 0x0008, tag, 'SQ', item, 0), mustFail: true };
  },
};

const pngMutations: Record<string, Mutation> = {
  truncate: (s, rng) => ({ bytes: s.bytes.subarray(0, between(rng, 8, s.bytes.length - 20)), mustFail: true }),
  'flip-data': (s, rng) => ({ bytes: flip(s.bytes, rng, 41, s.bytes.length - 12, between(rng, 1, 8)), mustFail: false }),
  'size-0x0': (s) => ({ bytes: withPngSize(s.bytes, 0, 0), mustFail: true }),
  'size-20000': (s) => ({ bytes: withPngSize(s.bytes, 20000, 20000), mustFail: true }),
};

/** Writes width/height into IHDR (the CRC no longer matches: readers must refuse either way). */
function withPngSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  return out;
}

function junk(rng: Rng, i: number): FuzzCase {
  const kind = i % 5;
  if (kind === 0) return { name: 'empty', mutation: 'empty', bytes: new Uint8Array(0), mustFail: true };
  if (kind === 1) return { name: 'text', mutation: 'text', bytes: ascii('Patient notes, not an image.\n'.repeat(between(rng, 1, 40))), mustFail: true };
  if (kind === 2) return { name: 'preamble-only', mutation: 'preamble-only', bytes: concat([new Uint8Array(128), ascii('DICM')]), mustFail: true };
  const random = Uint8Array.from({ length: between(rng, 1, 4096) }, () => between(rng, 0, 255));
  if (kind === 3) random.set(ascii('DICM'), Math.min(128, Math.max(0, random.length - 4)));
  return { name: 'random', mutation: 'random', bytes: random, mustFail: true };
}

/** `count` cases: every mutation on every seed in turn (random parameters), plus non-DICOM junk. */
export function generateFuzzCorpus(seeds: readonly FuzzSeed[], count: number, seed = 15): FuzzCase[] {
  const rng = seededRandom(seed);
  const out: FuzzCase[] = [];
  const plans: { seed: FuzzSeed; name: string; mutate: Mutation }[] = [];
  for (const s of seeds) {
    for (const [name, mutate] of Object.entries(isPng(s) ? pngMutations : dicomMutations)) plans.push({ seed: s, name, mutate });
  }
  let i = 0;
  let attempts = 0;
  while (out.length < count && attempts < count * 4) {
    attempts++;
    const n = out.length;
    if (n % 12 === 11) {
      const j = junk(rng, n);
      out.push({ ...j, name: `${String(n).padStart(4, '0')}-${j.name}.dcm` });
      continue;
    }
    const plan = plans[i++ % plans.length];
    const result = plan.mutate(plan.seed, rng);
    if (!result) continue;
    const ext = isPng(plan.seed) ? 'png' : 'dcm';
    out.push({ name: `${String(n).padStart(4, '0')}-${plan.name}-${plan.seed.name}.${ext}`, mutation: plan.name, bytes: result.bytes, mustFail: result.mustFail });
  }
  return out;
}

/** One named mutation of one seed (for tests that want particular cases), or undefined when it does not apply. */
export function fuzzCase(seed: FuzzSeed, mutation: string, rngSeed = 1): FuzzCase | undefined {
  const mutate = (isPng(seed) ? pngMutations : dicomMutations)[mutation];
  if (!mutate) throw new Error(`unknown mutation ${mutation}`);
  const result = mutate(seed, seededRandom(rngSeed));
  if (!result) return undefined;
  return { name: `${mutation}-${seed.name}.${isPng(seed) ? 'png' : 'dcm'}`, mutation, bytes: result.bytes, mustFail: result.mustFail };
}
