// Ordinary mistakes with the real `archy` end in a usage message and exit 2
// (or the refusal's own sentence and exit 1), never in "internal error … this
// is a bug in archy" (exit 70): an unknown option on every command, a missing
// option value, a mistyped ARCHY_URL, a gate over a directory that is not
// there. (Run as root, the gate commands first drop to the service user:
// service-user.unit.test.ts; the tests here run as that user.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commandNames } from '../src/main.ts';

const ARCHY = fileURLToPath(new URL('../bin/archy', import.meta.url));

function archy(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ARCHY, args, {
      // Nothing listens on port 1: a command that got as far as calling the daemon says it is unreachable.
      env: { ...process.env, ARCHY_URL: 'http://127.0.0.1:1', ARCHY_TOKEN: 'x'.repeat(32), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

const noBug = (out: string, what: string) =>
  assert.doesNotMatch(out, /internal error|bug in archy/, `${what}:\n${out}`);

test('an unknown option is a usage error (exit 2) on every command', async () => {
  for (const name of commandNames()) {
    const { code, out } = await archy([...name.split(' '), '--no-such-option']);
    noBug(out, name);
    assert.equal(code, 2, `archy ${name} --no-such-option:\n${out}`);
    assert.match(out, /no-such-option/, name);
  }
});

test('the gate commands: usage mistakes exit 2, a missing directory exits 1 naming it', async () => {
  for (const args of [
    ['gate', '--repeat'],
    ['gate', '--repeat', 'many'],
    ['gate', '--report', 'xml'],
    ['app', 'test'],
    ['app', 'test', 'a', 'b'],
    ['app', 'test', 'dir', '--repeat'],
  ]) {
    const { code, out } = await archy(args);
    noBug(out, args.join(' '));
    assert.equal(code, 2, `${args.join(' ')}:\n${out}`);
  }
  for (const args of [
    ['gate', '--dir', '/nonexistent-apps'],
    ['app', 'test', '/nonexistent-app'],
  ]) {
    const { code, out } = await archy(args);
    noBug(out, args.join(' '));
    assert.equal(code, 1, out);
    assert.match(out, /\/nonexistent-app.*does not exist/);
  }
  const help = await archy(['app', 'test', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: archy app test/);
});

test('a mistyped ARCHY_URL names the setting (exit 2)', async () => {
  for (const url of ['notaurl', 'http://[::1', 'http://127.0.0.1:99999', 'ftp://node']) {
    const { code, out } = await archy(['status'], { ARCHY_URL: url });
    noBug(out, url);
    assert.equal(code, 2, out);
    assert.match(out, /ARCHY_URL/);
  }
});
