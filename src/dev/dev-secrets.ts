import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Secrets of the local stack, generated once and kept in a 0600 file under the data directory,
 * so that webhook URLs handed out before a restart still verify after it. Production processes
 * never read this file: they take their secrets from the environment.
 */

export const DEV_SECRET_NAMES = ['WEBHOOK_TOKEN_SECRET', 'CALLER_WEBHOOK_SECRET', 'BLAND_WEBHOOK_SECRET'] as const;
export type DevSecretName = (typeof DEV_SECRET_NAMES)[number];
export type DevSecrets = Record<DevSecretName, string>;

export class DevSecretsError extends Error {
  override name = 'DevSecretsError';
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the file, adds any missing secret, writes it back (mode 0600) when something changed. */
export function loadDevSecrets(file: string): DevSecrets {
  let stored: Partial<Record<string, unknown>> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      stored = parsed as Record<string, unknown>;
    } catch (err) {
      throw new DevSecretsError(
        `${file} is not a JSON object of secrets (${(err as Error).message}); delete it to generate new ones`,
      );
    }
  }
  let changed = !existsSync(file);
  const secrets = {} as DevSecrets;
  for (const name of DEV_SECRET_NAMES) {
    const value = stored[name];
    if (typeof value === 'string' && value.length >= 16) {
      secrets[name] = value;
    } else {
      secrets[name] = generateSecret();
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...stored, ...secrets }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
  // Also tightens a file someone created by hand with looser permissions.
  chmodSync(file, 0o600);
  return secrets;
}
