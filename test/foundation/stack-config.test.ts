import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { DEV_SECRET_NAMES, DevSecretsError, loadDevSecrets } from '../../src/dev/dev-secrets';
import { childEnvironment, parseStackSettings, REPO_ROOT } from '../../src/dev/stack';

const root = mkdtempSync(path.join(tmpdir(), 'dev-secrets-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('loadDevSecrets', () => {
  it('generates every secret once into a 0600 file and returns the same ones afterwards', () => {
    const file = path.join(root, 'a', 'dev-secrets.json');
    const first = loadDevSecrets(file);
    expect(Object.keys(first).sort()).toEqual([...DEV_SECRET_NAMES].sort());
    for (const value of Object.values(first)) expect(value.length).toBeGreaterThanOrEqual(32);
    expect(new Set(Object.values(first)).size).toBe(DEV_SECRET_NAMES.length);
    expect(mode(file)).toBe(0o600);
    expect(loadDevSecrets(file)).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
  });

  it('keeps what the file has, adds what it lacks, and tightens its mode', () => {
    const file = path.join(root, 'b.json');
    const kept = 'k'.repeat(40);
    writeFileSync(file, JSON.stringify({ WEBHOOK_TOKEN_SECRET: kept, note: 'mine' }));
    chmodSync(file, 0o644);
    const secrets = loadDevSecrets(file);
    expect(secrets.WEBHOOK_TOKEN_SECRET).toBe(kept);
    expect(secrets.CALLER_WEBHOOK_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(readFileSync(file, 'utf8')).note).toBe('mine');
    expect(mode(file)).toBe(0o600);
  });

  it('refuses a file that is not a JSON object, saying how to recover', () => {
    const file = path.join(root, 'c.json');
    writeFileSync(file, 'not json');
    expect(() => loadDevSecrets(file)).toThrow(DevSecretsError);
    expect(() => loadDevSecrets(file)).toThrow(/delete it to generate new ones/);
  });
});

describe('the stack settings', () => {
  it('defaults to the documented ports and .data in the repository', () => {
    expect(parseStackSettings({})).toEqual({
      apiPort: 3000,
      temporalPort: 7233,
      uiPort: 8233,
      simPort: 4010,
      dataDir: path.join(REPO_ROOT, '.data'),
      simulator: true,
    });
  });

  it('reads every port and a DATA_DIR relative to the working directory', () => {
    const settings = parseStackSettings(
      { PORT: '3001', TEMPORAL_PORT: '7234', TEMPORAL_UI_PORT: '8234', SIM_PORT: '4011', DATA_DIR: 'here' },
      '/srv',
    );
    expect(settings).toMatchObject({ apiPort: 3001, temporalPort: 7234, uiPort: 8234, simPort: 4011 });
    expect(settings.dataDir).toBe('/srv/here');
  });

  it('stops with one line on a bad or duplicated port', () => {
    expect(() => parseStackSettings({ TEMPORAL_UI_PORT: 'x' })).toThrow(
      /^Invalid setting TEMPORAL_UI_PORT: expected a port number \(1-65535\) \(got "x"\)$/,
    );
    expect(() => parseStackSettings({ SIM_PORT: '3000' })).toThrow(
      /^Invalid setting SIM_PORT: port 3000 is already given to PORT$/,
    );
    // Without the simulator SIM_PORT is not used, so it may clash.
    expect(parseStackSettings({ SIM_PORT: '3000', BLAND_API_KEY: 'k' }).simulator).toBe(false);
  });
});

describe('the environment of the stack children', () => {
  const secrets = {
    WEBHOOK_TOKEN_SECRET: 'w'.repeat(43),
    CALLER_WEBHOOK_SECRET: 'c'.repeat(43),
    BLAND_WEBHOOK_SECRET: 'b'.repeat(43),
  };

  it('points them at the local Temporal and the simulator, with dev secrets and auth off when no tokens', () => {
    const env = childEnvironment(
      { PATH: '/bin', TEMPORAL_ADDRESS: 'cloud:7233', TEMPORAL_API_KEY: 'cloud-key', TEMPORAL_TLS: 'true' },
      parseStackSettings({}),
      secrets,
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      PORT: '3000',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_TLS: 'false',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      BLAND_API_URL: 'http://127.0.0.1:4010',
      BLAND_API_KEY: 'sim-key',
      ...secrets,
      API_AUTH: 'disabled',
    });
    expect(env.TEMPORAL_API_KEY).toBeUndefined();
    expect(() => parseConfig(env)).not.toThrow();
  });

  it('keeps what the developer set: Bland, secrets, tokens', () => {
    const given = {
      BLAND_API_KEY: 'real-key',
      BLAND_API_URL: 'https://api.bland.ai',
      BLAND_WEBHOOK_SECRET: 'bland-secret',
      WEBHOOK_TOKEN_SECRET: 'x'.repeat(20),
      API_TOKENS: 't'.repeat(16),
    };
    const env = childEnvironment(given, parseStackSettings(given), secrets);
    expect(env).toMatchObject({ ...given, CALLER_WEBHOOK_SECRET: secrets.CALLER_WEBHOOK_SECRET });
    expect(env.API_AUTH).toBeUndefined();
  });

  it('refuses an open API in front of the real Bland', () => {
    const given = { BLAND_API_KEY: 'real-key', WEBHOOK_TOKEN_SECRET: 'x'.repeat(20) };
    expect(() => childEnvironment(given, parseStackSettings(given), secrets)).toThrow(/^Missing setting API_TOKENS: /);
  });
});
