/**
 * Typed reads of a manifest entry's task facts (`outputs[].decode`, `labels`, `extra`), so analyses take
 * every number about a model from its entry — the entry of the model that actually runs (a variant or a
 * bring-your-own model brings its own) — and a missing fact is an error naming the entry and the field.
 */
import type { Decode, ModelEntry, OutputSpec } from './manifest.ts';

/** Lung-window HU range reproducing a training set's 8-bit crops: v8 = round(clamp((hu-lo)/(hi-lo),0,1)*255). */
export interface HuWindow {
  lo: number;
  hi: number;
}

function missing(entry: ModelEntry, field: string, expected: string): Error {
  return new Error(`${entry.id}: manifest ${field} must be ${expected}`);
}

/** The output decoded as `decode` (each task's outputs have distinct decodes). */
export function outputByDecode(entry: ModelEntry, decode: Decode): OutputSpec {
  const found = entry.outputs.filter((o) => o.decode === decode);
  if (found.length !== 1) throw missing(entry, 'outputs', `exactly one output with decode "${decode}"`);
  return found[0];
}

/** The entry's single output (classifier logits, segmentation logits, detector head). */
export function onlyOutput(entry: ModelEntry): OutputSpec {
  if (entry.outputs.length !== 1) throw missing(entry, 'outputs', 'a single output');
  return entry.outputs[0];
}

export function extraNumber(entry: ModelEntry, key: string): number {
  const v = entry.extra?.[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw missing(entry, `extra.${key}`, 'a number');
  return v;
}

export function extraStrings(entry: ModelEntry, key: string): string[] {
  const v = entry.extra?.[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw missing(entry, `extra.${key}`, 'an array of strings');
  return v;
}

export function windowHuOf(entry: ModelEntry): HuWindow {
  const w = entry.extra?.windowHu as Partial<HuWindow> | undefined;
  if (!w || typeof w.lo !== 'number' || typeof w.hi !== 'number' || !(w.hi > w.lo)) {
    throw missing(entry, 'extra.windowHu', '{ lo, hi } with hi > lo (HU)');
  }
  return { lo: w.lo, hi: w.hi };
}

export function labelsOf(entry: ModelEntry): string[] {
  if (!entry.labels?.length) throw missing(entry, 'labels', 'a non-empty array');
  return entry.labels;
}

/** Position of `name` in a list of channel/class names from the entry. */
export function indexOfName(entry: ModelEntry, names: readonly string[], name: string, field: string): number {
  const k = names.indexOf(name);
  if (k < 0) throw missing(entry, field, `a list containing "${name}" (has: ${names.join(', ')})`);
  return k;
}
