/**
 * Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time by function and by module
 * (a package under node_modules, a node:internal module, or a project file), highest first.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  percent: number;
}

function moduleOf({ url, functionName }: ProfileNode['callFrame']): string {
  // (garbage collector), (program) and natives have no script.
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:'))
    return url
      .replace(/^node:internal\/(deps\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

export function summariseCpuProfile(
  file: string,
  top = 15,
): { functions: Share[]; modules: Share[]; idlePercent: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  // A native function (no script) is charged to the module that called it: `init` under node:crypto/keys.
  const caller = (node: ProfileNode): ProfileNode | undefined => {
    let at = parentOf.get(node.id);
    while (at && !at.callFrame.url) at = parentOf.get(at.id);
    return at;
  };
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)!.callFrame;
    total += time;
    if (frame.functionName === '(idle)') {
      idle += time;
      continue;
    }
    const calledFrom = !frame.url && !frame.functionName.startsWith('(') ? caller(byId.get(id)!) : undefined;
    const where = calledFrom ? moduleOf(calledFrom.callFrame) : moduleOf(frame);
    const fn = calledFrom
      ? `${frame.functionName} (native, from ${calledFrom.callFrame.functionName || '(anonymous)'} ${where}:${calledFrom.callFrame.lineNumber + 1})`
      : `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + time);
    modules.set(where, (modules.get(where) ?? 0) + time);
  }
  const busy = total - idle;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => ({ name, percent: (100 * time) / busy }));
  return { functions: ranked(functions), modules: ranked(modules), idlePercent: (100 * idle) / total };
}
