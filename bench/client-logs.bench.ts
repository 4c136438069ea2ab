import { BlandClient } from '../src/bland/client';
import { startBlandSimulator } from '../src/dev/bland-simulator';
import type { Benchmark } from './harness';

/**
 * BlandClient.getAllLogs (paging + zod parsing + error handling) against the local simulator, vs.
 * raw fetch + JSON.parse of the same pages: the client's own overhead over the HTTP it must do.
 */

const CALLS = 1_000;

const benchmark: Benchmark = {
  name: 'client getAllLogs',
  description: `BlandClient.getAllLogs of a ${CALLS.toLocaleString('en')}-chunk batch vs. raw fetch of the same pages`,
  runs: 21,
  async setup() {
    const sim = await startBlandSimulator({ stepMs: 1, callMs: 0, chunkSize: 1 });
    const client = new BlandClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    const phones = Array.from({ length: CALLS }, (_, i) => ({ phone_number: `+1415${String(1_000_000 + i)}` }));
    const { batch_id } = await client.createBatch({ global: { task: 'bench' }, call_objects: phones });
    const until = Date.now() + 20_000;
    while (!sim.batches()[0]?.counts) {
      if (Date.now() > until) throw new Error('simulated batch did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    const raw = async () => {
      const all: unknown[] = [];
      for (let skip = 0; ; skip += 100) {
        const res = await fetch(`${sim.url}/v2/batches/${batch_id}/logs?take=100&skip=${skip}&direction=asc`, {
          headers: { authorization: sim.apiKey },
        });
        const page = ((await res.json()) as { data: unknown[] }).data;
        all.push(...page);
        if (page.length < 100) return all;
      }
    };
    return {
      baseline: { name: 'fetch + JSON.parse, same pages', fn: raw },
      subject: { name: 'BlandClient.getAllLogs', fn: () => client.getAllLogs(batch_id) },
      teardown: () => sim.close(),
    };
  },
};
export default benchmark;
