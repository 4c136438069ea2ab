import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');

describe('README', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it('documents every configuration variable and the stack ports', () => {
    const names = [...Object.keys(configSchema.shape), 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'SIM_PORT', 'DATA_DIR'];
    const missing = names.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names the commands CI runs', () => {
    for (const command of ['npm install', 'npm start', 'npm test', 'npm run worker', 'npm run api', 'bash .ci/run']) {
      expect(readme).toContain(command);
    }
  });
});
