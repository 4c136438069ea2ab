import { startBlandSimulator } from './bland-simulator';

/** `npm run simulator`: the Bland simulator on SIM_PORT (default 4010) until SIGINT/SIGTERM. */

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name}: expected a whole number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const sim = await startBlandSimulator({
    port: envNumber('SIM_PORT', 4010),
    host: process.env.SIM_HOST || '127.0.0.1',
    apiKey: process.env.SIM_API_KEY || 'sim-key',
    stepMs: envNumber('SIM_STEP_MS', 1000),
    chunkSize: envNumber('SIM_CHUNK_SIZE', 50),
    ...(process.env.SIM_WEBHOOK_SECRET ? { webhookSecret: process.env.SIM_WEBHOOK_SECRET } : {}),
    log: (line) => console.log(`[bland-sim] ${line}`),
  });
  console.log(
    `Bland simulator listening on ${sim.url} (authorization: ${sim.apiKey === 'sim-key' ? 'sim-key' : '<SIM_API_KEY>'})`,
  );
  console.log(
    `Try: curl -s -X POST ${sim.url}/v2/batches/create -H 'authorization: ${sim.apiKey === 'sim-key' ? 'sim-key' : '$SIM_API_KEY'}' -H 'content-type: application/json' -d '{"global":{"task":"Say hello"},"call_objects":[{"phone_number":"+14155550123"}]}'`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[bland-sim] ${signal}: closing`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`bland simulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
