// Read a V8 .cpuprofile (node --cpu-prof) and print where the time went: the top self-time frames, self time by
// package or source file, and the inclusive time of frames whose name matches a pattern. Samples before the last
// `windowMs` of the profile are skipped, so start-up (module loading) does not drown the steady state.
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const nameOf = (c: CallFrame) =>
  `${c.functionName || '(anonymous)'} ${c.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '')}`.trim();

function groupOf(c: CallFrame): string {
  const url = c.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1]!;
  if (url === '') return c.functionName;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

export function summarizeProfile(file: string, top = 30, windowMs = 0, inclusive?: RegExp): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const cutoff = windowMs > 0 ? profile.endTime - windowMs * 1000 : Number.NEGATIVE_INFINITY;
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const incl = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    // A sample's time is the gap to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (at < cutoff) return;
    total += us;
    const frame = byId.get(id)!.callFrame;
    add(self, nameOf(frame), us);
    add(groups, groupOf(frame), us);
    if (inclusive === undefined) return;
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const name = nameOf(byId.get(n)!.callFrame);
      if (inclusive.test(name) && !seen.has(name)) add(incl, name, us);
      seen.add(name);
    }
  });
  const show = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([key, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
      )
      .join('\n');
  return [
    `${file}: ${(total / 1000).toFixed(0)} ms of samples${windowMs > 0 ? ` in the last ${windowMs} ms` : ''}`,
    '-- self time by frame',
    show(self, top),
    '-- self time by package / file',
    show(groups, 20),
    ...(inclusive === undefined ? [] : [`-- inclusive time of frames matching ${inclusive}`, show(incl, 40)]),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top, windowMs, pattern] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-top.ts FILE.cpuprofile [TOP] [WINDOW_MS] [INCLUSIVE_REGEX]');
  console.log(
    summarizeProfile(file, Number(top ?? 30), Number(windowMs ?? 0), pattern ? new RegExp(pattern) : undefined),
  );
}
