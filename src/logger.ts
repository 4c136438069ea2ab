import pino from 'pino';

export type Logger = pino.Logger;

/**
 * pino JSON logs that cannot leak what they must not hold: every object and message logged goes
 * through `scrub`, which drops values under secret-sounding keys, removes `token=` query values,
 * bearer credentials and masks phone numbers to their last four digits. The request handlers
 * never log headers or bodies in the first place; this is the net under them.
 */

const SECRET_KEY = /authorization|token|secret|password|api[-_]?key|signature|cookie|encrypted[-_]?key/i;
/** E.164-looking numbers, and bare runs of 7-15 digits not part of a longer digit/hex run (ids, hashes). */
const PHONE = /\+\d{7,15}(?!\d)|(?<![0-9A-Za-z])\d{7,15}(?![0-9A-Za-z])/g;
const QUERY_TOKEN = /([?&](?:token|signature|key|secret)=)[^&#\s"]*/gi;
const BEARER = /(bearer\s+)[^\s"]+/gi;
/** Keys whose values are ours and never personal: left untouched so they stay greppable. */
const VERBATIM_KEYS = new Set(['req_id', 'time', 'pid', 'hostname', 'level']);

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `***${digits.slice(-4)}`;
}

export function scrubString(value: string): string {
  return value.replace(QUERY_TOKEN, '$1[redacted]').replace(BEARER, '$1[redacted]').replace(PHONE, maskPhone);
}

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[deep]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubString(value.message) };
    if (value.stack) out.stack = scrubString(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = scrub(code, depth + 1);
    if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (VERBATIM_KEYS.has(key)) out[key] = v;
    else out[key] = scrub(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Where the JSON lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'api',
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      hooks: {
        // Interpolated message strings bypass `formatters.log`; scrub them too.
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>;
          return method.apply(this, cleaned);
        },
      },
      // Errors are turned into plain objects by `scrub`, never serialized raw.
      serializers: { err: (e: unknown) => scrub(e) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
