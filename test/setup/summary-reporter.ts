import type { Reporter, TestModule } from 'vitest/node';

/**
 * One plain closing line, `Tests: N passed, N failed, N skipped`, after vitest's own summary:
 * the form CI reads to know how many tests ran (vitest's colourful summary is not in its list).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((n, module) => n + [...module.children.allTests(state)].length, 0);
    process.stdout.write(
      `\nTests: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`,
    );
  }
}
