import { requireTemporalCliBinary, TemporalCliError } from './temporal-cli';

/**
 * `npm run temporal-cli`: prints the path of the temporal CLI on stdout (building it once with Go
 * when needed; progress goes to stderr). CI uses it as TEMPORAL_CLI_PATH="$(... temporal-cli-main.ts)".
 */
try {
  process.stdout.write(`${requireTemporalCliBinary()}\n`);
} catch (err) {
  if (!(err instanceof TemporalCliError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
