import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultFile } from './lib/result.ts';

/**
 * `npm run bench` (short set), `npm run bench -- --full`, `npm run bench -- --only <scenario>`, `--profile`.
 * Each scenario runs in its own process (clean heap, its own CPU and RSS figures) and prints one JSON object;
 * this runner passes the objects through on stdout and a summary line per scenario on stderr.
 */
const here = dirname(fileURLToPath(import.meta.url));
// The issue's six scenarios, most signal first; the inbox's responsiveness (#8) runs with --full or --only.
const SIX = ['webhook-ingest', 'engine-overhead', 'full-sync', 'propagation', 'oversell', 'scale-memory'];
const EXTRA = ['inbox'];

const argv = process.argv.slice(2);
const full = argv.includes('--full');
// `--profile`: each scenario process writes a V8 CPU profile to bench/results/profiles (read with profile-summary.ts).
const profile = argv.includes('--profile');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const available = readdirSync(join(here, 'scenarios')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
if (only !== undefined && !available.includes(only)) {
  process.stderr.write(`unknown scenario "${only}"; available: ${available.join(', ')}\n`);
  process.exit(2);
}
const chosen = only ? [only] : [...SIX, ...(full ? EXTRA : [])].filter((s) => available.includes(s));

function runScenario(name: string): Promise<{ code: number; json: string | undefined }> {
  return new Promise((resolve) => {
    // A folder per scenario: Node writes one profile per thread (tsx's loader thread has its own), named by pid and thread.
    const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles', `${name}${full ? '-full' : ''}`)}`] : [];
    const child = spawn(process.execPath, ['--expose-gc', ...profiling, '--import', 'tsx', join(here, 'scenarios', `${name}.ts`), ...(full ? ['--full'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{"scenario"'));
      resolve({ code: code ?? 1, json: line });
    });
  });
}

let failed = 0;
const started = Date.now();
for (const name of chosen) {
  const t0 = Date.now();
  process.stderr.write(`== ${name} (${full ? 'full' : 'short'})\n`);
  const { code, json } = await runScenario(name);
  if (code !== 0 || !json) {
    failed++;
    process.stderr.write(`== ${name} FAILED (exit ${code}${json ? '' : ', no result printed'})\n`);
    continue;
  }
  process.stdout.write(`${json}\n`);
  const doc = JSON.parse(json) as { targets: Record<string, { target: string; met: boolean }> };
  const verdicts = Object.entries(doc.targets).map(([k, v]) => `${k}: ${v.met ? 'met' : 'MISSED'} (${v.target})`);
  process.stderr.write(`== ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${verdicts.join('; ') || 'no target'}; bench/results/${resultFile(name, full ? 'full' : 'short')}\n`);
}
process.stderr.write(`== ${chosen.length - failed}/${chosen.length} scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(failed > 0 ? 1 : 0);
