import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `npx tsx bench/profile-summary.ts [file.cpuprofile | folder]`: where a scenario's process spent its CPU, from
 * the V8 profiles `npm run bench -- --profile` writes (bench/results/profiles/<scenario>/, one per thread; the
 * busiest is the scenario's main thread). Prints one JSON object per scenario: self time by area (our folders,
 * each npm package, Node internals, idle, GC) and the top functions.
 * The bench README's causes are read from these.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const root = process.cwd();

function area(url: string, fn: string): string {
  if (!url) return fn === '(idle)' ? '(idle)' : fn === '(garbage collector)' ? '(gc)' : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const path = relative(root, url.replace(/^file:\/\//, ''));
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function summarize(file: string) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const a = area(cf.url, cf.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const f = `${cf.functionName || '(anonymous)'} ${a}${cf.url && !a.startsWith('npm:') && a !== 'node internals' ? `:${cf.lineNumber + 1}` : ''}`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const share = (m: Map<string, number>, n: number) =>
    [...m].sort((x, y) => y[1] - x[1]).slice(0, n).map(([k, us]) => ({ [k]: `${((us / total) * 100).toFixed(1)} %` }));
  return { profile: relative(root, file), sampledSeconds: Number((total / 1e6).toFixed(1)), byArea: share(areas, 15), topFunctions: share(fns, 15) };
}

/** The profile of a scenario's main thread: of the folder's profiles (one per thread), the one that was busiest. */
function mainThread(folder: string): string | undefined {
  const busy = (file: string) => {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    return p.samples.reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (p.timeDeltas[i] ?? 0)), 0);
  };
  const files = readdirSync(folder).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(folder, f));
  return files.sort((a, b) => busy(b) - busy(a))[0];
}

const target = process.argv[2] ?? join(root, 'bench/results/profiles');
const files = !statSync(target).isDirectory()
  ? [target]
  : readdirSync(target).some((f) => f.endsWith('.cpuprofile'))
    ? [mainThread(target)!]
    : readdirSync(target).flatMap((d) => (statSync(join(target, d)).isDirectory() ? [mainThread(join(target, d))] : [])).filter((f): f is string => f !== undefined);
for (const f of files) process.stdout.write(`${JSON.stringify(summarize(f))}\n`);
