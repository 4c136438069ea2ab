import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type Benchmark, formatResult, type Result, runBenchmark } from './harness';

/** `npm run bench`: runs every `bench/*.bench.ts` (or those whose name contains argv[2]). */

const HARD_LIMIT_MS = 60_000;

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const results: Result[] = [];
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as { default: Benchmark | { default: Benchmark } };
    const bench = 'setup' in mod.default ? mod.default : mod.default.default;
    if (filter && !bench.name.includes(filter) && !file.includes(filter)) continue;
    console.log(`\n# ${bench.name}: ${bench.description}`);
    const result = await runBenchmark(bench);
    results.push(result);
    console.log(formatResult(result));
  }
  console.log('\nsummary (subject / baseline, lower is better):');
  for (const r of results) console.log(`  ${r.name.padEnd(32)} ${r.ratio.toFixed(2)}x`);
}

// However a benchmark misbehaves, the run ends within a minute.
const guard = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s, giving up`);
  process.exit(1);
}, HARD_LIMIT_MS);
guard.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
