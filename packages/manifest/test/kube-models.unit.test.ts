// Every app in apps/ (and every fixture and sample) rendered as Kubernetes
// objects and validated against Kubernetes' own schema through
// kubernetes-models (its JSON Schemas are generated from the Kubernetes
// OpenAPI); the whole apps/ set rendered together, wired by Service names.
// Also what the export promises: secrets only by reference, hardened
// security contexts, probes from health, StatefulSets for members with data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type KubeObject,
  type Manifest,
  parseManifest,
  renderKubeObjects,
  renderKubeSet,
  sampleRenderContext,
} from '@archipelago/manifest';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { manifestSources } from './manifest-sources.ts';

const MODELS: Record<string, new (value: never) => { validate(): void }> = {
  Deployment,
  StatefulSet,
  Service,
  Secret,
  PersistentVolumeClaim,
};

function validate(doc: KubeObject, where: string): void {
  const kind = String(doc['kind']);
  const Model = MODELS[kind];
  assert.ok(Model, `${where}: kind ${kind} has no model`);
  assert.doesNotThrow(
    () => new Model(structuredClone(doc) as never).validate(),
    `${where}: ${kind} is not valid`,
  );
}

const manifests: Manifest[] = [];
for (const src of manifestSources()) {
  const r = parseManifest(src.text, src.file);
  if (r.ok) manifests.push(r.manifest);
}

test('every manifest exports to Kubernetes objects that validate', () => {
  assert.ok(manifests.length > 30);
  for (const m of manifests)
    for (const doc of renderKubeObjects(m, sampleRenderContext(m)))
      validate(doc, `${m.id} ${(doc['metadata'] as KubeObject)['name']}`);
});

const containersOf = (doc: KubeObject): KubeObject[] => {
  const spec = (((doc['spec'] as KubeObject)['template'] as KubeObject)['spec'] ?? {}) as KubeObject;
  return [
    ...((spec['initContainers'] as KubeObject[]) ?? []),
    ...((spec['containers'] as KubeObject[]) ?? []),
  ];
};

test('the app set exports whole: dependencies reach each other by Service name, and it validates', () => {
  const apps = manifests.filter((m) => !m.id.startsWith('fx-') && m.id !== 'demo');
  const docs = renderKubeSet(apps);
  for (const doc of docs) validate(doc, `set ${(doc['metadata'] as KubeObject)['name']}`);
  const names = new Set(docs.map((d) => `${d['kind']}/${(d['metadata'] as KubeObject)['name']}`));
  assert.equal(names.size, docs.length, 'no two objects share a kind and name');
  // LND reads bitcoind's address from its config: in the set it is the Service of bitcoin-knots or -core.
  const lndSecret = docs.find(
    (d) => d['kind'] === 'Secret' && (d['metadata'] as KubeObject)['name'] === 'archy-lnd-secrets',
  );
  const text = JSON.stringify(lndSecret?.['stringData'] ?? {});
  assert.match(text, /archy-bitcoin-(core|knots)-main/);
  assert.doesNotMatch(text, /<dep:/);
});

test('secrets are referenced, never inline; containers are hardened; data means a StatefulSet', () => {
  for (const m of manifests) {
    const docs = renderKubeObjects(m, sampleRenderContext(m));
    const workloads = docs.filter((d) => d['kind'] === 'Deployment' || d['kind'] === 'StatefulSet');
    assert.equal(workloads.length, m.containers.length, `${m.id}: one workload per member`);
    for (const w of workloads) {
      const member = m.containers.find((c) => c.name === containersOf(w).at(-1)?.['name'])!;
      const keepsData = member.volumes.some((v) => 'volume' in v);
      assert.equal(w['kind'], keepsData ? 'StatefulSet' : 'Deployment', `${m.id}/${member.name}`);
      for (const c of containersOf(w)) {
        assert.doesNotMatch(
          JSON.stringify(c['env'] ?? []),
          /<secret:/,
          `${m.id}/${member.name}: a secret inline`,
        );
        const sc = c['securityContext'] as KubeObject;
        assert.deepEqual((sc['capabilities'] as KubeObject)['drop'], ['ALL']);
        assert.equal(sc['allowPrivilegeEscalation'], false);
      }
      const main = containersOf(w).at(-1)!;
      if (member.user !== undefined)
        assert.equal((main['securityContext'] as KubeObject)['runAsUser'], Number(member.user.split(':')[0]));
      assert.equal(
        main['readinessProbe'] !== undefined,
        member.health !== undefined,
        `${m.id}/${member.name} probe`,
      );
    }
  }
});
