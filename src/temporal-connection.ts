import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import { type Config, ConfigError } from './config';

/** What both the client's Connection and the worker's NativeConnection accept. */
export type TemporalConnectionOptions = Pick<ConnectionOptions, 'address' | 'tls'> & { apiKey?: string };

/**
 * Connection options for the Temporal frontend, from the project's settings: TLS when
 * TEMPORAL_TLS=true, an API key or mTLS files are given. One set of rules for the API, the
 * typed client and the worker; this module stays free of the worker's native module.
 */
export function temporalConnectionOptions(
  config: Pick<
    Config,
    'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_API_KEY'
  >,
): TemporalConnectionOptions {
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath } = config;
  const mtls = Boolean(certPath || keyPath);
  if (mtls && !(certPath && keyPath)) {
    throw new ConfigError('Invalid setting TEMPORAL_TLS_CERT_PATH: set it together with TEMPORAL_TLS_KEY_PATH');
  }
  const tlsOn = config.TEMPORAL_TLS === 'true' || Boolean(config.TEMPORAL_API_KEY) || mtls;
  const tls = !tlsOn
    ? undefined
    : certPath && keyPath
      ? {
          clientCertPair: {
            crt: readSetting('TEMPORAL_TLS_CERT_PATH', certPath),
            key: readSetting('TEMPORAL_TLS_KEY_PATH', keyPath),
          },
        }
      : true;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(tls ? { tls } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

function readSetting(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      `Invalid setting ${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
