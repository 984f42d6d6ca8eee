import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory (bytes) of a process and all its descendants, from /proc (Linux). */
function treeRssBytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* exited meanwhile */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Polls the tree's RSS every `ms` until stopped; `peak` is the largest sum seen. */
export function watchPeakRss(rootPid: number, ms = 200): { stop: () => number; peak: () => number } {
  let peak = 0;
  const sample = () => { peak = Math.max(peak, treeRssBytes(rootPid)); };
  sample();
  const timer = setInterval(sample, ms);
  return { stop: () => { clearInterval(timer); sample(); return peak; }, peak: () => peak };
}

/** Child processes of `parentPid` whose command line matches `pattern` (e.g. the browser Playwright started). */
export function childPids(parentPid: number, pattern: RegExp): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && pattern.test(readFileSync(`/proc/${name}/cmdline`, 'utf8'))) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
