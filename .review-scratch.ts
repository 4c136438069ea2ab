import { createHash } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from './src/dev/temporal-server';
import { BatchClient } from './src/client';
import { createApp } from './src/api/app';
import { listen } from './src/api/serve';
import { createLogger } from './src/logger';

async function main() {
  const server = await startDevServer({ uiPort: false });
  try {
    const connection = await Connection.connect({ address: server.address });
    const batches = new BatchClient({ client: new Client({ connection }), taskQueue: 'scratch' });
    const app = createApp({ config: { API_TOKENS: ['t'.repeat(20)], API_AUTH: 'enabled', WEBHOOK_TOKEN_SECRET: 's'.repeat(20), WEBHOOK_BODY_LIMIT_BYTES: 262144, TEMPORAL_UI_URL: 'http://x', LOG_LEVEL: 'silent' } as any, batches, logger: createLogger({ level: 'silent' }) });
    const running = await listen(app, { port: 0, host: '127.0.0.1' });
    const auth = { authorization: `Bearer ${'t'.repeat(20)}` };
    const show = async (label: string, p: Promise<Response>) => { const r = await p; console.log(label, r.status, (await r.text()).slice(0, 200)); };
    await show('GET long id', fetch(`${running.url}/v1/batches/${'x'.repeat(1500)}`, { headers: auth }));
    await show('cancel long id', fetch(`${running.url}/v1/batches/${'x'.repeat(1500)}/cancel`, { method: 'POST', headers: auth }));
    const garbage = Buffer.from('garbage-token-bytes');
    const cursor = Buffer.concat([createHash('sha256').update(garbage).digest().subarray(0, 8), garbage]).toString('base64url');
    await show('list forged cursor', fetch(`${running.url}/v1/batches?cursor=${cursor}`, { headers: auth }));
    await show('POST with long idem key ok?', fetch(`${running.url}/v1/batches`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'k'.repeat(200), 'content-type': 'application/json' }, body: JSON.stringify({ call_objects: [{ phone_number: '+14155550101' }], global: { task: 't' } }) }));
    await show('GET %', fetch(`${running.url}/v1/batches/%E0%A4%A`, { headers: auth }));
    await show('webhook bad pct', fetch(`${running.url}/v1/webhooks/bland/%E0%A4%A?token=x`, { method: 'POST' }));
    await running.close();
  } finally {
    await server.stop();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
