import { z } from 'zod';

/**
 * Every environment setting of the project, parsed once. A bad value stops the process with a
 * single line naming the variable, because a stack trace buries the only thing an operator needs.
 */

const port = z.coerce
  .number({ error: 'expected a port number (1-65535)' })
  .int('expected a whole port number (1-65535)')
  .min(1, 'expected a port number (1-65535)')
  .max(65535, 'expected a port number (1-65535)');

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
  .transform((u) => u.replace(/\/+$/, ''));

const optionalSecret = z.string().min(1).optional();

const tokenList = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  )
  .refine((tokens) => tokens.every((t) => t.length >= 16), {
    message: 'expected comma-separated tokens of at least 16 characters each',
  });

const positiveMs = z.coerce
  .number({ error: 'expected a number of milliseconds' })
  .int('expected a whole number of milliseconds')
  .positive('expected a positive number of milliseconds');

export const configSchema = z.object({
  PORT: port.default(3000),
  PUBLIC_URL: httpUrl.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  BLAND_API_URL: httpUrl.default('https://api.bland.ai'),
  BLAND_API_KEY: optionalSecret,
  BLAND_ENCRYPTED_KEY: optionalSecret,
  BLAND_WEBHOOK_SECRET: optionalSecret,
  // Below the activities' one-minute start-to-close timeout, so two attempts never overlap.
  BLAND_REQUEST_TIMEOUT_MS: positiveMs.max(50_000, 'expected at most 50000 ms').default(15_000),

  WEBHOOK_TOKEN_SECRET: z.string().min(16, 'expected a secret of at least 16 characters').optional(),
  CALLER_WEBHOOK_SECRET: optionalSecret,
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),

  API_TOKENS: tokenList,
  API_AUTH: z.enum(['enabled', 'disabled']).default('enabled'),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. localhost:7233')
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bland-batches'),
  TEMPORAL_API_KEY: optionalSecret,
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_URL: httpUrl.default('http://localhost:8233'),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_URL: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the variables `schema` knows from `env`; throws a ConfigError whose message is one line
 * naming the first bad variable (its value shown unless it is a secret). Shared with `npm start`'s
 * own settings, so every process words a bad setting the same way.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // An empty variable means "unset": shells and compose files produce them all the time.
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key in schema.shape && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  const got = present[name];
  const shown = isSecretName(name) || got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  throw new ConfigError(`Invalid setting ${name}: ${issue?.message ?? 'invalid'}${shown}`);
}

/** Parses `env`; throws a ConfigError whose message is one line naming the first bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseEnv(configSchema, env);
  return { ...config, PUBLIC_URL: config.PUBLIC_URL ?? `http://localhost:${config.PORT}` };
}

function isSecretName(name: string): boolean {
  return /KEY|SECRET|TOKEN/.test(name);
}

/** Loads the configuration or ends the process with the one-line reason. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** The secret behind webhook tokens; every process that builds or checks them needs it. */
export function requireWebhookTokenSecret(config: Config): string {
  if (!config.WEBHOOK_TOKEN_SECRET) {
    throw new ConfigError(
      'Missing setting WEBHOOK_TOKEN_SECRET: expected a secret of at least 16 characters (it signs the webhook URLs given to Bland)',
    );
  }
  return config.WEBHOOK_TOKEN_SECRET;
}
