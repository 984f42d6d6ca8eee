/**
 * `--shard K/N`: a deterministic 1/N of the inputs, so an array-job scheduler (Slurm arrays,
 * Kubernetes Indexed Jobs) can spread a cohort over machines with no extra code: job K of N
 * runs the same command with `--shard K/N`. Each file goes to the shard chosen by a hash of
 * its path as listed, so the split does not depend on the order or on the other files.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new Error(`--shard must be K/N with 1 <= K <= N (e.g. 2/8), got "${text}"`);
  }
  return { index, count };
}

/**
 * FNV-1a (32-bit) over the UTF-8 bytes of the path, then MurmurHash3's finaliser (FNV's low
 * bits alone split near-identical names unevenly). Stable across machines and Node versions.
 */
function pathHash(p: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(p, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function inShard(file: string, shard: Shard): boolean {
  return pathHash(file) % shard.count === shard.index - 1;
}

export function selectShard<T extends string>(files: readonly T[], shard: Shard | undefined): T[] {
  return shard ? files.filter((f) => inShard(f, shard)) : [...files];
}
