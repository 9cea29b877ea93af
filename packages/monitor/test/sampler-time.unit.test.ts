// Each sample's `at` is the moment its figures were read, not the start of the pass: the engine's list and
// stats calls can take seconds, and a rate over a wrongly stamped time is wrong by that much.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sampler } from '../src/sampler.ts';
import type { AppContainerFact, AppFactsSource } from '../src/types.ts';

function container(appId: string, member: string): AppContainerFact {
  return {
    appId,
    member,
    name: `${appId}-${member}`,
    running: true,
    pid: process.pid,
    restartCount: 0,
    oomKilled: false,
    health: undefined,
    imageId: undefined,
  };
}

test('sampler: an app is stamped after its slow engine stats, the node after every app', async () => {
  // A clock the fake engine moves: listing takes 3 s, each container's stats 2 s.
  let clock = 1_000_000;
  const facts: AppFactsSource = {
    async containers() {
      clock += 3000;
      return [container('alpha', 'web'), container('beta', 'web'), container('beta', 'db')];
    },
    async engineStats() {
      clock += 2000;
      return { cpuPercent: 1, memoryBytes: 1024, netInputBytes: 0, netOutputBytes: 0 };
    },
    async diskUse() {
      return { volumes: [], imageBytes: 0 };
    },
  };
  const sampler = new Sampler({ facts, watched: [], now: () => clock });
  const snap = await sampler.sample();
  const [alpha, beta] = snap.apps;
  assert.equal(alpha?.appId, 'alpha');
  assert.equal(alpha.memorySource, 'engine');
  // alpha: list (3 s) then its one stats call (2 s).
  assert.equal(alpha.at, 1_000_000 + 5000);
  // beta: after alpha, its two stats calls.
  assert.equal(beta?.appId, 'beta');
  assert.equal(beta.at, 1_000_000 + 9000);
  assert.equal(snap.node.at, 1_000_000 + 9000);
});

test('sampler: on the /proc path the CPU rate uses the times of the two reads', async () => {
  let clock = 5_000_000;
  const facts: AppFactsSource = {
    async containers() {
      clock += 4000;
      return [container('gamma', 'web')];
    },
    // Null: the host cannot give engine stats (rootless on cgroup v1), so /proc is read.
    async engineStats() {
      clock += 1000;
      return null;
    },
    async diskUse() {
      clock += 7000;
      return { volumes: [], imageBytes: 0 };
    },
  };
  const sampler = new Sampler({ facts, watched: [], now: () => clock });
  const first = await sampler.sample();
  assert.equal(first.apps[0]?.memorySource, 'proc');
  // Stamped at the /proc read (after list and the refused stats call), not after the slow disk walk.
  assert.equal(first.apps[0]?.at, 5_000_000 + 5000);
  assert.equal(first.apps[0]?.cpuPercent, null, 'one reading gives no rate');
  const second = await sampler.sample();
  // The second pass skips the refused engine: list (4 s) after the first pass's disk walk (7 s).
  assert.equal(second.apps[0]?.at, 5_000_000 + 5000 + 7000 + 4000);
  assert.equal(second.apps[0]?.cpuSource, 'proc');
  assert.equal(typeof second.apps[0]?.cpuPercent, 'number');
});
