// Issue #28, secrets at rest: a generated secret in an app's env reaches the
// container through a Podman secret, never as a plain value in the unit files,
// the container's stored config or the create body; everything that names the
// secrets (units, state, the secret store, the home) is the service user's
// alone. Real rootless Podman, real files, real SQLite.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { containerName, engineSecretPrefix } from '@archipelago/manifest';
import type { PodmanClient } from '@archipelago/podman';
import { renderSpecsFor } from '../src/lifecycle/context.ts';
import { lifecycleUnits } from '../src/supervise/lifecycle-units.ts';
import { syncUnitFiles } from '../src/supervise/unit-files.ts';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';
import { fixture, type TestNode as LifecycleNode, testNode } from './support/node.ts';

function podman(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('podman', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`podman ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Podman 5.3 masks secret env in inspect; older engines show the started container's runtime env there. */
function masksSecretEnv(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 5 || (major === 5 && minor >= 3);
}

/**
 * Whether `value` appears in the container's inspect output outside of
 * `Config.Env` (and inside it too, on an engine that masks secret env).
 */
async function inspectLeaks(name: string, value: string, engineVersion: string): Promise<string[]> {
  const [raw] = JSON.parse(await podman(['container', 'inspect', name])) as [Record<string, unknown>];
  const where: string[] = [];
  const config = (raw['Config'] ?? {}) as Record<string, unknown>;
  const { Env: env, ...restOfConfig } = config;
  if (JSON.stringify({ ...raw, Config: restOfConfig }).includes(value))
    where.push('inspect (outside Config.Env)');
  if (masksSecretEnv(engineVersion) && JSON.stringify(env).includes(value)) where.push('inspect Config.Env');
  return where;
}

/** Podman's own database of container configs (boltdb on Podman 4, SQLite on 5). */
function engineDatabases(graphRoot: string): string[] {
  const dir = join(graphRoot, 'libpod');
  return ['bolt_state.db', 'db.sql'].map((f) => join(dir, f)).filter((p) => existsSync(p));
}

async function engineSecretNames(engine: PodmanClient, appId: string): Promise<string[]> {
  return (await engine.secrets.list())
    .map((s) => s.name)
    .filter((n) => n.startsWith(engineSecretPrefix(appId)));
}

describe('secrets at rest, through the reconciler (real Podman)', { timeout: 180_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('the container sees its secret in env; the spec, inspect, the engine database and the units do not hold it', async () => {
    const app = await node.add('fx-web', { base: 'rest' });
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running', 60_000);
    const password = node.deps.secrets.read(app.id, 'admin_password');
    assert.ok(password !== undefined && password.length === 20);
    const name = containerName(app.id, 'web');

    // (a) the process gets the value in its env.
    const env = await node.client.exec(name, ['env']);
    assert.match(env.stdout, new RegExp(`^FX_PASSWORD=${password}$`, 'm'));

    // (b) no plain value in what the platform hands the engine, in Podman's stored config, or in inspect.
    const [spec] = renderSpecsFor(node.deps, node.state.apps.require(app.id));
    assert.ok(!JSON.stringify(spec).includes(password), 'the create body holds a reference only');
    assert.deepEqual(Object.keys(spec?.secret_env ?? {}), ['FX_PASSWORD']);
    const names = await engineSecretNames(node.client, app.id);
    assert.deepEqual(names, [spec?.secret_env?.['FX_PASSWORD']]);
    const info = await node.client.info();
    assert.deepEqual(await inspectLeaks(name, password, info.version), []);
    assert.ok(info.graphRoot !== undefined);
    const dbs = engineDatabases(info.graphRoot);
    assert.ok(dbs.length > 0, `Podman's database under ${info.graphRoot}/libpod`);
    for (const db of dbs) assert.ok(!readFileSync(db).includes(password), `${db} holds no plain value`);

    // Quadlet units name the secret, never its value, and are the user's alone.
    const dir = join(node.dataRoot, 'quadlet');
    mkdirSync(dir, { mode: 0o755 });
    await chmod(dir, 0o755); // as an older version left it
    const units = lifecycleUnits(node.deps)(node.state.apps.require(app.id));
    writeFileSync(join(dir, units[0]!.filename), units[0]!.content, { mode: 0o644 }); // one unit written back then
    await syncUnitFiles(dir, app.id, units);
    assert.equal(mode(dir), 0o700);
    for (const f of readdirSync(dir)) {
      assert.equal(mode(join(dir, f)), 0o600, f);
      assert.ok(!readFileSync(join(dir, f), 'utf8').includes(password), `${f} holds no plain value`);
    }
    const unit = readFileSync(join(dir, `${name}.container`), 'utf8');
    assert.match(
      unit,
      new RegExp(`^Secret=${names[0]!.replace(/\./g, '\\.')},type=env,target=FX_PASSWORD$`, 'm'),
    );
    await r.close();
  });

  test('a changed secret-bearing value recreates the member under a new secret name and removes the old secret', async () => {
    const app = await node.add('fx-web', { base: 'rotate' });
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running', 60_000);
    const name = containerName(app.id, 'web');
    const before = await node.client.containers.inspect(name);
    const [oldSecret] = await engineSecretNames(node.client, app.id);
    assert.ok(oldSecret !== undefined);

    // The operator rotates the password in the secret store (the file is the source of truth).
    const rotated = 'rotated-password-0123';
    writeFileSync(join(node.deps.secrets.dirOf(app.id), 'admin_password'), rotated, { mode: 0o600 });
    const report = await r.pass('rotated');
    assert.ok(
      report.actions.some((a) => a.kind === 'recreate' && a.app === app.id),
      `drift noticed: ${JSON.stringify(report.actions.map((a) => a.kind))}`,
    );
    await until(node, r, `${app.id} running again`, () => statusOf(node, app.id) === 'running', 60_000);
    const after = await node.client.containers.inspect(name);
    assert.notEqual(after.id, before.id, 'the member was recreated');
    const env = await node.client.exec(name, ['env']);
    assert.match(env.stdout, new RegExp(`^FX_PASSWORD=${rotated}$`, 'm'));
    const now = await engineSecretNames(node.client, app.id);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], oldSecret, 'a new value, a new name');
    assert.equal(await node.client.secrets.find(oldSecret), undefined, 'the stale secret is gone');
    const converged = await r.pass('converged');
    assert.ok(!converged.actions.some((a) => a.kind === 'recreate'), 'no endless recreation');
    await r.close();
  });
});

describe('secrets at rest, through the lifecycle (real Podman)', { timeout: 240_000 }, () => {
  let node: LifecycleNode;
  before(async () => {
    node = await testNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('install stores the secrets in the engine; state and secret files are private; uninstall --purge removes them', async () => {
    const o = node.orchestrator;
    const fx = await fixture('fx-web');
    const id = fx.manifest.id;
    const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.equal((await engineSecretNames(node.engine, id)).length, 1);

    // (c) everything that holds or names a secret is the service user's alone.
    assert.equal(mode(homedir()) & 0o077, 0, `the home ${homedir()} is private (scripts/setup-host)`);
    const stateFile = join(node.dataRoot, 'state.db');
    for (const f of [stateFile, `${stateFile}-wal`, `${stateFile}-shm`])
      if (existsSync(f)) assert.equal(mode(f), 0o600, f);
    const secretsRoot = join(node.dataRoot, 'secrets');
    assert.equal(mode(secretsRoot), 0o700);
    assert.equal(mode(join(secretsRoot, id)), 0o700);
    for (const f of readdirSync(secretsRoot, { recursive: true, withFileTypes: true }))
      if (f.isFile()) assert.equal(mode(join(f.parentPath, f.name)), 0o600, f.name);

    // Uninstall without purge keeps the secret store (a reinstall uses it) but not the engine copies.
    assert.equal((await o.uninstall(id).done).state, 'succeeded');
    assert.deepEqual(await engineSecretNames(node.engine, id), []);
    assert.ok(existsSync(join(secretsRoot, id, 'admin_password')));

    // (e) install again, then purge: no engine secret of the app is left.
    assert.equal(
      (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
      'succeeded',
    );
    assert.equal((await engineSecretNames(node.engine, id)).length, 1);
    assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
    assert.deepEqual(await engineSecretNames(node.engine, id), []);
    assert.ok(!existsSync(join(secretsRoot, id)));
  });
});
