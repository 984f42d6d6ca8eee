import type { Component } from 'svelte';
import type { ResultsProps } from './resultsProps.ts';

/**
 * Each analysis' panel view, found next to its module (src/core/analyses/<id>/Results.svelte) so that
 * adding an analysis touches its folder and the registry only. Keyed by folder name = module id.
 */
const found = import.meta.glob<Component<ResultsProps>>('../../core/analyses/*/Results.svelte', { eager: true, import: 'default' });

const byId = new Map(Object.entries(found).map(([file, component]) => [file.split('/').at(-2)!, component]));

export function resultsComponentFor(moduleId: string): Component<ResultsProps> | undefined {
  return byId.get(moduleId);
}
