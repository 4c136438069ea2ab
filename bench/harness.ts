/**
 * Benchmarks compare a subject against a baseline measured in the same run, alternating the two,
 * and report medians and their ratio: machines are noisy, ratios travel better than milliseconds.
 * Each `bench/*.bench.ts` file default-exports one `Benchmark`; `bench/run.ts` runs them all.
 */

export interface Case {
  name: string;
  fn: () => unknown | Promise<unknown>;
}

export interface Benchmark {
  name: string;
  /** What the ratio means, e.g. "zod validation vs. a JSON round trip of the same body". */
  description: string;
  /** Builds the inputs; returns the two cases to compare, and optionally a teardown. */
  setup(): Promise<{ baseline: Case; subject: Case; teardown?: () => Promise<void> | void }>;
  /** Timed runs of each case (after warm-up). Default 15. */
  runs?: number;
  /** Untimed warm-up runs of each case. Default 3. */
  warmup?: number;
  /** Stop early once this much time was spent measuring. Default 15000 ms. */
  budgetMs?: number;
}

export interface Result {
  name: string;
  baseline: { name: string; medianMs: number };
  subject: { name: string; medianMs: number };
  ratio: number;
  runs: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(fn: Case['fn']): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function runBenchmark(bench: Benchmark): Promise<Result> {
  const { baseline, subject, teardown } = await bench.setup();
  try {
    for (let i = 0; i < (bench.warmup ?? 3); i++) {
      await baseline.fn();
      await subject.fn();
    }
    const base: number[] = [];
    const subj: number[] = [];
    const deadline = Date.now() + (bench.budgetMs ?? 15_000);
    const runs = bench.runs ?? 15;
    for (let i = 0; i < runs && (i < 3 || Date.now() < deadline); i++) {
      // Alternate the order so drift (GC, CPU frequency) hits both sides alike.
      if (i % 2 === 0) {
        base.push(await time(baseline.fn));
        subj.push(await time(subject.fn));
      } else {
        subj.push(await time(subject.fn));
        base.push(await time(baseline.fn));
      }
    }
    const b = median(base);
    const s = median(subj);
    return {
      name: bench.name,
      baseline: { name: baseline.name, medianMs: b },
      subject: { name: subject.name, medianMs: s },
      ratio: s / b,
      runs: base.length,
    };
  } finally {
    await teardown?.();
  }
}

export function formatResult(r: Result): string {
  const ms = (n: number) => `${n.toFixed(n < 10 ? 3 : 1)} ms`;
  return [
    `${r.name} (median of ${r.runs} runs)`,
    `  baseline  ${r.baseline.name}: ${ms(r.baseline.medianMs)}`,
    `  subject   ${r.subject.name}: ${ms(r.subject.medianMs)}`,
    `  ratio     ${r.ratio.toFixed(2)}x the baseline`,
  ].join('\n');
}
