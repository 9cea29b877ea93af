// Pure parts of the CLI's daemon commands: argument parsing, the progress
// renderer (TTY bar and plain lines), and telling a local manifest path from a catalog id.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import type { Job } from '@archipelago/daemon/api';
import { intValue, parseArgs } from '../src/client/args.ts';
import { bytes, table } from '../src/client/output.ts';
import { renderer } from '../src/client/progress.ts';
import { isLocalPath } from '../src/commands/app-install.ts';
import { CliError } from '../src/errors.ts';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

const job = (over: Partial<Job>): Job => ({
  id: 'j1',
  appId: 'web',
  kind: 'install',
  state: 'running',
  stage: null,
  stages: ['validate', 'build images', 'start'],
  percent: 0,
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
  ...over,
});

describe('args', () => {
  const spec = {
    usage: 'archy x <id>',
    booleans: ['purge'],
    values: ['tail'],
    lists: ['grant'],
    positionals: 1,
  };
  test('flags, values, repeatable lists, --json', () => {
    const p = parseArgs(['web', '--purge', '--tail=5', '--grant', 'a', '--grant', 'b', '--json'], spec);
    assert.deepEqual(p.positionals, ['web']);
    assert.equal(p.flags['purge'], true);
    assert.equal(intValue(p, 'tail', 200), 5);
    assert.deepEqual(p.lists['grant'], ['a', 'b']);
    assert.equal(p.json, true);
  });
  test('usage errors exit 2 and name the problem', () => {
    assert.throws(
      () => parseArgs(['web', '--nope'], spec),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--nope/.test(e.message),
    );
    assert.throws(
      () => parseArgs([], spec),
      (e: unknown) => e instanceof CliError && /usage: archy x/.test(e.message),
    );
    assert.throws(() => parseArgs(['web', '--tail'], spec), /--tail needs a value/);
    assert.throws(
      () => intValue(parseArgs(['web', '--tail', '0'], spec), 'tail', 1),
      /positive whole number/,
    );
    assert.equal(parseArgs(['--help'], spec).help, true);
  });
});

describe('progress renderer', () => {
  test('TTY: one redrawn bar whose percentage never goes back', () => {
    const out = sink();
    const r = renderer('tty', out.stream);
    r.update(job({ stage: 'validate', percent: 10 }));
    r.update(job({ stage: 'build images', percent: 40 }));
    r.update(job({ stage: 'build images', percent: 30 })); // late event: shown as 40
    r.done(job({ stage: 'start', percent: 100, state: 'succeeded' }));
    const text = out.text();
    const ESC = String.fromCharCode(27);
    assert.ok(
      text.startsWith(`\r${ESC}[2Kinstall web [`),
      'each redraw returns to the line start and clears it',
    );
    assert.match(text, /install web \[#+\.+\] {2}10% validate/);
    assert.doesNotMatch(text, / 30% /);
    assert.equal((text.match(/ 40% build images/g) ?? []).length, 2);
    assert.match(text, /\ninstall web: succeeded\n$/);
  });
  test('plain: one line per stage, the reason on failure', () => {
    const out = sink();
    const r = renderer('plain', out.stream);
    r.update(job({ stage: 'validate', percent: 5 }));
    r.update(job({ stage: 'validate', percent: 8 }));
    r.update(job({ stage: 'start', percent: 60 }));
    r.done(job({ state: 'failed', error: { code: 'health.timeout', message: 'did not become healthy' } }));
    assert.equal(
      out.text(),
      'install web: validate (5%)\ninstall web: start (60%)\ninstall web: failed: did not become healthy\n',
    );
  });
  test('quiet (--json) prints nothing', () => {
    const out = sink();
    const r = renderer('quiet', out.stream);
    r.update(job({ stage: 'validate' }));
    r.done(job({ state: 'succeeded' }));
    assert.equal(out.text(), '');
  });
});

describe('output and targets', () => {
  test('a path is local, a bare id is a catalog app', () => {
    assert.equal(isLocalPath('./my-app'), true);
    assert.equal(isLocalPath('/srv/apps/x'), true);
    assert.equal(isLocalPath('nextcloud'), false);
  });
  test('tables and sizes', () => {
    assert.equal(table(['A', 'BB'], [['xyz', '1']]), 'A    BB\nxyz  1');
    assert.equal(bytes(1536), '1.5 KiB');
    assert.equal(bytes(12), '12 B');
  });
});
