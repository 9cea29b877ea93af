// The security rating's rules, table-tested: each row mutates a small valid
// manifest and names the score and the rules that must fire.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Manifest, type ManifestInput, type RatingRule, securityRating } from '@archipelago/manifest';
import { baseManifest } from './base-manifest.ts';

type Row = {
  name: string;
  edit: (m: ManifestInput & Record<string, unknown>) => void;
  grants?: string[];
  score: number;
  rules: RatingRule[];
};

// biome-ignore lint/suspicious/noExplicitAny: test rows edit the author's input freely
const c = (m: ManifestInput, i: number): any => (m.containers as any[])[i];

const rows: Row[] = [
  { name: 'the base app (one LAN port) stays at the base', edit: () => {}, score: 5, rules: [] },
  {
    name: 'no published port raises it',
    edit: (m) => {
      c(m, 1).ports = [];
      c(m, 1).expose = [8080];
      delete (m as Record<string, unknown>).launch;
    },
    score: 6,
    rules: ['no_published_ports'],
  },
  {
    name: 'read-only root filesystems everywhere raise it',
    edit: (m) => {
      c(m, 0).read_only_rootfs = true;
      c(m, 1).read_only_rootfs = true;
    },
    score: 6,
    rules: ['read_only_rootfs'],
  },
  {
    name: 'host network lowers it by two (and is not "no published ports")',
    edit: (m) => {
      c(m, 1).network_mode = 'host';
      c(m, 1).ports = [];
      delete (m as Record<string, unknown>).launch;
      m.permissions = [{ kind: 'host_network', reason: 'discovery' }];
    },
    score: 3,
    rules: ['host_network'],
  },
  {
    name: 'a writable host path lowers by two, a read-only one by one',
    edit: (m) => {
      c(m, 1).volumes.push({ host_path: '/mnt/media', target: '/media', read_only: false });
      c(m, 0).volumes.push({ host_path: '/srv/ro', target: '/ro' });
    },
    score: 2,
    rules: ['host_path_writable', 'host_path_read_only'],
  },
  {
    name: 'devices, a plain and a risky capability, and a privileged port',
    edit: (m) => {
      c(m, 1).devices = ['/dev/dri'];
      c(m, 1).capabilities = ['NET_BIND_SERVICE', 'NET_ADMIN'];
      c(m, 1).ports = [{ container: 80, host: 80 }];
    },
    score: 1,
    rules: ['device', 'capability_risky', 'capability', 'privileged_ports'],
  },
  {
    name: 'public paths lower it, sign-in through the proxy raises it (gateway fields, read when present)',
    edit: (m) => {
      m.public_paths = ['/webhook/*'];
      (m.launch as Record<string, unknown>).sign_in = true;
    },
    score: 5,
    rules: ['public_paths', 'sign_in_proxy'],
  },
  {
    name: 'raising rules add up',
    edit: (m) => {
      c(m, 0).read_only_rootfs = true;
      c(m, 1).read_only_rootfs = true;
      c(m, 1).ports = [];
      delete (m as Record<string, unknown>).launch;
    },
    score: 7,
    rules: ['read_only_rootfs', 'no_published_ports'],
  },
  {
    name: 'a permission the operator did not grant is not counted',
    edit: (m) => {
      c(m, 1).devices = ['/dev/dri'];
    },
    grants: [],
    score: 5,
    rules: [],
  },
];

describe('security rating', () => {
  for (const row of rows) {
    it(row.name, () => {
      const input = baseManifest() as ManifestInput & Record<string, unknown>;
      row.edit(input);
      // The gateway's fields are not in this schema yet: parse what exists, then lay the extra fields back on.
      const { public_paths, ...known } = input as Record<string, unknown>;
      const launch = (known.launch as Record<string, unknown> | undefined) ?? undefined;
      const signIn = launch?.sign_in;
      if (launch) delete launch.sign_in;
      const manifest = Manifest.parse(known);
      if (public_paths !== undefined) Object.assign(manifest, { public_paths });
      if (signIn !== undefined && manifest.launch) Object.assign(manifest.launch, { sign_in: signIn });
      const r = securityRating(row.grants ? { manifest, grants: row.grants } : { manifest });
      assert.deepEqual(
        r.reasons.map((x) => x.rule),
        row.rules,
      );
      assert.equal(r.score, row.score);
      for (const reason of r.reasons) {
        assert.ok(reason.message.length > 0);
        assert.ok(reason.at.length > 0);
      }
    });
  }
});
