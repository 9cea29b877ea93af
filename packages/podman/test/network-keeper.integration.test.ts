// Real rootless Podman: the network keeper, and what it is for — a stack whose members are all replaced
// (stop/start, update, reinstall) finds its members by alias again at once, not tens of seconds later.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ensureNetworkKeeper, KEEPER_LABEL, NETWORK_KEEPER } from '../src/index.ts';
import { fixtureImage, startTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;

before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.cleanup();
});

test('the keeper is made once, left running, and started again when something stopped it', async () => {
  const { client } = engine;
  const first = await ensureNetworkKeeper(client);
  assert.ok(['created', 'started', 'running'].includes(first));
  assert.equal(await ensureNetworkKeeper(client), 'running');
  const keeper = await client.containers.inspect(NETWORK_KEEPER);
  assert.equal(keeper.running, true);
  assert.equal(keeper.labels[KEEPER_LABEL], 'true');
  assert.ok(
    Object.keys(keeper.labels).every((l) => !l.startsWith('io.archipelago.app')),
    'the keeper is no app',
  );
  await client.containers.stop(NETWORK_KEEPER, { graceSecs: 1 });
  assert.equal(await ensureNetworkKeeper(client), 'started');
  assert.equal((await client.containers.inspect(NETWORK_KEEPER)).running, true);
});

test('with the keeper, a stack whose members are all replaced resolves its alias again within seconds, every time', async () => {
  const { client } = engine;
  await ensureNetworkKeeper(client);
  const [db, web] = await Promise.all([
    fixtureImage(client, 'fx-stack', 'db'),
    fixtureImage(client, 'fx-stack', 'web'),
  ]);
  const net = engine.name('dnsnet');
  await client.networks.ensure({ name: net, labels: engine.labels });
  const dbName = engine.name('dns-db');
  const webName = engine.name('dns-web');
  for (let round = 1; round <= 4; round++) {
    await client.containers.remove(webName, { force: true });
    await client.containers.remove(dbName, { force: true });
    await client.containers.create(
      engine.spec(dbName, db, {
        netns: { nsmode: 'bridge' },
        Networks: { [net]: { aliases: ['database'] } },
      }),
    );
    await client.containers.create(
      engine.spec(webName, web, {
        command: ['sleep', '600'],
        netns: { nsmode: 'bridge' },
        Networks: { [net]: {} },
      }),
    );
    await client.containers.start(dbName);
    await client.containers.start(webName);
    const t0 = Date.now();
    let answer = '';
    // A deadline for a real failure only; generous for a loaded CI host.
    while (Date.now() - t0 < 60_000) {
      const r = await client.exec(webName, ['sh', '-c', 'nc -w 2 database 7000 </dev/null']);
      answer = r.stdout.trim();
      if (answer === 'db-ok') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(answer, 'db-ok', `round ${round}: the alias answered within 60 s`);
  }
});
