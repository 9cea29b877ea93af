import assert from 'node:assert/strict';
import { containerName } from '@archipelago/manifest';
import type { RealJob } from './context.ts';

const job: RealJob = {
  async write(ctx, a, marker) {
    const anonymous = await ctx.node.engine.exec(
      containerName(a.manifest.id, 'broker'),
      ['mosquitto_pub', '-h', '127.0.0.1', '-t', 'archy/test', '-m', 'anonymous'],
      { timeoutMs: 60_000 },
    );
    assert.notEqual(anonymous.exitCode, 0, 'the broker refuses anonymous clients');
    await ctx.exec(a.manifest.id, 'broker', [
      'sh',
      '-c',
      'mosquitto_pub -h 127.0.0.1 -u "$MQTT_USER" -P "$MQTT_PASSWORD" -q 1 -r -t archy/test -m "$0"',
      marker,
    ]);
  },
  async read(ctx, a, marker) {
    const out = await ctx.exec(a.manifest.id, 'broker', [
      'sh',
      '-c',
      'mosquitto_sub -h 127.0.0.1 -u "$MQTT_USER" -P "$MQTT_PASSWORD" -t archy/test -C 1 -W 10',
    ]);
    return out.trim() === marker;
  },
};

export default job;
