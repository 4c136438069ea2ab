import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, parseConfig, requireWebhookTokenSecret } from '../../src/config';

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('gives every documented default', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'info',
      BLAND_API_URL: 'https://api.bland.ai',
      BLAND_REQUEST_TIMEOUT_MS: 15_000,
      WEBHOOK_BODY_LIMIT_BYTES: 262_144,
      API_TOKENS: [],
      API_AUTH: 'enabled',
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'bland-batches',
      TEMPORAL_TLS: 'false',
      TEMPORAL_UI_URL: 'http://localhost:8233',
    });
    expect(config.BLAND_API_KEY).toBeUndefined();
    expect(config.WEBHOOK_TOKEN_SECRET).toBeUndefined();
  });

  it('derives PUBLIC_URL from PORT and trims trailing slashes of URLs', () => {
    expect(parseConfig({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080');
    expect(parseConfig({ PUBLIC_URL: 'https://example.com/hooks//' }).PUBLIC_URL).toBe('https://example.com/hooks');
    expect(parseConfig({ BLAND_API_URL: 'http://127.0.0.1:4010/' }).BLAND_API_URL).toBe('http://127.0.0.1:4010');
  });

  it('treats an empty variable as unset and ignores variables it does not know', () => {
    const config = parseConfig({ PORT: '', BLAND_API_KEY: '', SOMETHING_ELSE: 'x' });
    expect(config.PORT).toBe(3000);
    expect(config.BLAND_API_KEY).toBeUndefined();
  });

  it('splits API_TOKENS on commas', () => {
    const a = 'a'.repeat(16);
    const b = 'b'.repeat(20);
    expect(parseConfig({ API_TOKENS: ` ${a} ,, ${b} ` }).API_TOKENS).toEqual([a, b]);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '3000.5'],
    ['LOG_LEVEL', 'loud'],
    ['BLAND_API_URL', 'ftp://bland'],
    ['PUBLIC_URL', 'not a url'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['TEMPORAL_TLS', 'yes'],
    ['API_AUTH', 'off'],
    ['BLAND_REQUEST_TIMEOUT_MS', '-5'],
    ['WEBHOOK_BODY_LIMIT_BYTES', '12'],
  ])('%s=%s stops with one line naming the variable and the value', (name, value) => {
    const err = errorOf({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^Invalid setting ${name}: `));
    expect(err.message).toContain(JSON.stringify(value));
    expect(err.message).not.toContain('\n');
  });

  it.each([
    ['WEBHOOK_TOKEN_SECRET', 'too-short-secret'.slice(0, 12)],
    ['API_TOKENS', 'short-token-value'.slice(0, 10)],
  ])('never echoes the value of %s', (name, value) => {
    const err = errorOf({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^Invalid setting ${name}: `));
    expect(err.message).not.toContain(value);
    expect(err.message).not.toContain('\n');
  });

  it('names the first bad variable when several are bad', () => {
    expect(errorOf({ PORT: 'x', LOG_LEVEL: 'y' }).message).toMatch(/^Invalid setting (PORT|LOG_LEVEL): /);
  });

  it('knows every variable the README documents', () => {
    expect(Object.keys(configSchema.shape).sort()).toEqual(
      [
        'PORT',
        'PUBLIC_URL',
        'LOG_LEVEL',
        'BLAND_API_URL',
        'BLAND_API_KEY',
        'BLAND_ENCRYPTED_KEY',
        'BLAND_WEBHOOK_SECRET',
        'BLAND_REQUEST_TIMEOUT_MS',
        'WEBHOOK_TOKEN_SECRET',
        'CALLER_WEBHOOK_SECRET',
        'WEBHOOK_BODY_LIMIT_BYTES',
        'API_TOKENS',
        'API_AUTH',
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_TASK_QUEUE',
        'TEMPORAL_API_KEY',
        'TEMPORAL_TLS',
        'TEMPORAL_TLS_CERT_PATH',
        'TEMPORAL_TLS_KEY_PATH',
        'TEMPORAL_UI_URL',
      ].sort(),
    );
  });
});

describe('requireWebhookTokenSecret', () => {
  it('returns the secret when set', () => {
    const secret = 's'.repeat(32);
    expect(requireWebhookTokenSecret(parseConfig({ WEBHOOK_TOKEN_SECRET: secret }))).toBe(secret);
  });

  it('fails with one line naming WEBHOOK_TOKEN_SECRET when unset', () => {
    expect(() => requireWebhookTokenSecret(parseConfig({}))).toThrow(/^Missing setting WEBHOOK_TOKEN_SECRET: /);
  });
});
