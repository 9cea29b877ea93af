// Podman secrets through the client on real rootless Podman: stored once under
// a name, handed to a container as env through `secret_env` (what the platform
// renders), listed, removed; the value is in no answer and no error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixtureImage, startTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;
let image: string;
const VALUE = 'a value with spaces, $dollars, %percent and "quotes"';

before(async () => {
  engine = await startTestEngine();
  image = await fixtureImage(engine.client, 'fx-web');
});

after(async () => {
  if (engine === undefined) return;
  for (const s of await engine.client.secrets.list())
    if (s.name.startsWith(engine.runId)) await engine.client.secrets.remove(s.name);
  await engine.cleanup();
});

test('ensure stores a value once; a container gets it in env through secret_env; remove deletes it', async () => {
  const { client } = engine;
  const name = `${engine.runId}.db-password`;
  assert.equal(await client.secrets.find(name), undefined);
  assert.equal(await client.secrets.ensure(name, VALUE), true);
  assert.equal(await client.secrets.ensure(name, 'another value'), false, 'an existing name is left alone');
  const info = await client.secrets.inspect(name);
  assert.equal(info.name, name);
  assert.ok(!JSON.stringify(info).includes(VALUE));
  assert.ok((await client.secrets.list()).some((s) => s.name === name));

  const container = engine.name('secret-env');
  await client.containers.create(
    engine.spec(container, image, {
      command: ['sleep', '300'],
      entrypoint: [],
      secret_env: { DB_PASSWORD: name },
    }),
  );
  await client.containers.start(container);
  const env = await client.exec(container, ['env']);
  assert.ok(env.stdout.split('\n').includes(`DB_PASSWORD=${VALUE}`), 'the first value, not the second');
  await client.containers.remove(container, { force: true });

  assert.equal(await client.secrets.remove(name), true);
  assert.equal(await client.secrets.remove(name), false, 'a missing secret is not an error');
  assert.equal(await client.secrets.find(name), undefined);
});

test('a container referencing a missing secret is refused with the secret named, never a value', async () => {
  const { client } = engine;
  const missing = `${engine.runId}.missing`;
  await assert.rejects(
    client.containers.create(engine.spec(engine.name('no-secret'), image, { secret_env: { X: missing } })),
    (e: Error) => e.message.includes(missing),
  );
});
