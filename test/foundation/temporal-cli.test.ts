import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateTemporalCli, requireTemporalCliBinary, TemporalCliError } from '../../src/dev/temporal-cli';

/** The locator's order: TEMPORAL_CLI_PATH, PATH, $(go env GOPATH)/bin, go install, SDK download. */

const root = mkdtempSync(path.join(tmpdir(), 'temporal-cli-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function script(dir: string, name: string, body: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

const logs: string[] = [];
const log = (line: string) => logs.push(line);
const emptyDir = path.join(root, 'empty');
mkdirSync(emptyDir);

describe('locateTemporalCli', () => {
  it('rejects a TEMPORAL_CLI_PATH that is not executable, naming the variable', () => {
    const file = script(path.join(root, 'noexec'), 'temporal', 'exit 0', 0o644);
    expect(() => locateTemporalCli({ env: { TEMPORAL_CLI_PATH: file, PATH: emptyDir }, log })).toThrow(
      TemporalCliError,
    );
    expect(() => locateTemporalCli({ env: { TEMPORAL_CLI_PATH: file, PATH: emptyDir }, log })).toThrow(
      /^TEMPORAL_CLI_PATH=.*temporal is not an executable file/,
    );
  });

  it('rejects a TEMPORAL_CLI_PATH that does not exist', () => {
    expect(() =>
      locateTemporalCli({ env: { TEMPORAL_CLI_PATH: path.join(root, 'nope'), PATH: emptyDir }, log }),
    ).toThrow(/not an executable file/);
  });

  it('prefers TEMPORAL_CLI_PATH to a temporal on PATH', () => {
    const explicit = script(path.join(root, 'explicit'), 'my-temporal', 'exit 0');
    const onPathDir = path.join(root, 'onpath1');
    script(onPathDir, 'temporal', 'exit 0');
    expect(locateTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: onPathDir }, log })).toEqual({
      kind: 'binary',
      path: explicit,
      source: 'TEMPORAL_CLI_PATH',
    });
  });

  it('finds an executable temporal on PATH, skipping directories without one', () => {
    const dir = path.join(root, 'onpath2');
    const binary = script(dir, 'temporal', 'exit 0');
    const notExecutableDir = path.join(root, 'onpath2-noexec');
    script(notExecutableDir, 'temporal', 'exit 0', 0o644);
    const PATH = ['', emptyDir, notExecutableDir, dir].join(path.delimiter);
    expect(locateTemporalCli({ env: { PATH }, log })).toEqual({ kind: 'binary', path: binary, source: 'PATH' });
  });

  it('then looks in $(go env GOPATH)/bin', () => {
    const gopath = path.join(root, 'gopath');
    const built = script(path.join(gopath, 'bin'), 'temporal', 'exit 0');
    const goDir = path.join(root, 'fake-go');
    script(goDir, 'go', `[ "$1 $2" = "env GOPATH" ] && echo "${gopath}" && exit 0\nexit 3`);
    expect(locateTemporalCli({ env: { PATH: goDir }, log })).toEqual({ kind: 'binary', path: built, source: 'GOPATH' });
  });

  it('falls back to the SDK download when there is no binary and no Go', () => {
    logs.length = 0;
    expect(locateTemporalCli({ env: { PATH: emptyDir }, log })).toEqual({ kind: 'sdk-download' });
    expect(logs.join('\n')).toMatch(/Go is not installed/);
  });

  it('does not build when asked not to install', () => {
    const goDir = path.join(root, 'fake-go-2');
    script(goDir, 'go', `[ "$1 $2" = "env GOPATH" ] && echo "${path.join(root, 'empty-gopath')}" && exit 0\nexit 3`);
    expect(locateTemporalCli({ env: { PATH: goDir }, log, install: false })).toEqual({ kind: 'sdk-download' });
  });

  it('reports a failed go install with a clear message', () => {
    const goDir = path.join(root, 'fake-go-3');
    script(goDir, 'go', `[ "$1 $2" = "env GOPATH" ] && echo "${path.join(root, 'gopath-3')}" && exit 0\nexit 7`);
    expect(() => locateTemporalCli({ env: { PATH: goDir }, log })).toThrow(
      /go install github.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1 failed \(exit 7\)/,
    );
  });
});

describe('requireTemporalCliBinary', () => {
  it('explains what to install when nothing is found', () => {
    expect(() => requireTemporalCliBinary({ env: { PATH: emptyDir }, log })).toThrow(
      /No temporal CLI: install Go .* or set TEMPORAL_CLI_PATH/,
    );
  });
});
