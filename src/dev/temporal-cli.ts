import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Finds the `temporal` CLI (it embeds the dev server, SQLite and the Web UI). The SDK's own
 * download fails on machines that reach only package registries, so we look for a binary first
 * and build one with Go when we can. Used by the tests, `npm start`, the benchmarks and CI.
 */

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type TemporalCli =
  | { kind: 'binary'; path: string; source: string }
  /** No binary and no Go: let the SDK download one (works on a machine with internet). */
  | { kind: 'sdk-download' };

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

type Log = (line: string) => void;

export function locateTemporalCli(
  options: { env?: NodeJS.ProcessEnv; log?: Log; install?: boolean } = {},
): TemporalCli {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliError(
        `TEMPORAL_CLI_PATH=${explicit} is not an executable file; unset it or point it at a temporal binary`,
      );
    }
    return { kind: 'binary', path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }

  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) return { kind: 'binary', path: onPath, source: 'PATH' };

  const gopath = goEnvGopath(env);
  if (gopath === undefined) {
    log('temporal CLI not found and Go is not installed: falling back to the SDK download');
    return { kind: 'sdk-download' };
  }
  const built = path.join(gopath.split(path.delimiter)[0] ?? gopath, 'bin', 'temporal');
  if (isExecutable(built)) return { kind: 'binary', path: built, source: 'GOPATH' };
  if (options.install === false) return { kind: 'sdk-download' };

  log(`temporal CLI not found: building it once with "go install ${TEMPORAL_CLI_MODULE}"`);
  log('(this downloads Go modules and compiles for a few minutes; later runs reuse the binary)');
  const result = spawnSync('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...env, CGO_ENABLED: env.CGO_ENABLED ?? '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !isExecutable(built)) {
    throw new TemporalCliError(
      `go install ${TEMPORAL_CLI_MODULE} failed (exit ${result.status ?? result.signal}); set TEMPORAL_CLI_PATH to a temporal binary`,
    );
  }
  log(`temporal CLI built at ${built}`);
  return { kind: 'binary', path: built, source: 'go install' };
}

/** Like locateTemporalCli, but a binary is required (we start `temporal server start-dev` ourselves). */
export function requireTemporalCliBinary(options: { env?: NodeJS.ProcessEnv; log?: Log } = {}): string {
  const cli = locateTemporalCli(options);
  if (cli.kind === 'binary') return cli.path;
  throw new TemporalCliError(
    'No temporal CLI: install Go (then it is built automatically), put `temporal` on PATH, or set TEMPORAL_CLI_PATH',
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function goEnvGopath(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const out = execFileSync('go', ['env', 'GOPATH'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}
