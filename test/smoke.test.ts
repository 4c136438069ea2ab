import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';

describe('the shared Temporal dev server', () => {
  it('answers and knows the batch search attributes', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      const attrs = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attrs.customAttributes ?? {})).toEqual(
        expect.arrayContaining(['BlandBatchStatus', 'BlandBatchId']),
      );
    } finally {
      await connection.close();
    }
  });
});
