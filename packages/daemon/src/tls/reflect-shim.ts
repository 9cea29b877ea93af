// @peculiar/x509 registers its ASN.1 providers through tsyringe, which needs the
// Reflect metadata functions (a TC39 proposal that never shipped). This is the
// smallest working subset of them, installed only when absent, so the daemon
// needs no global polyfill package. Import it before @peculiar/x509 (tls/x509.ts does).
type Key = unknown;
const store = new WeakMap<object, Map<Key, unknown>>();

function own(target: object, property: PropertyKey | undefined): Map<Key, unknown> | undefined {
  const byTarget = store.get(target);
  return byTarget?.get(property) as Map<Key, unknown> | undefined;
}

const metadata = {
  defineMetadata(key: Key, value: unknown, target: object, property?: PropertyKey): void {
    const byTarget = store.get(target) ?? new Map<PropertyKey | undefined, unknown>();
    store.set(target, byTarget);
    const map = (byTarget.get(property) as Map<Key, unknown> | undefined) ?? new Map<Key, unknown>();
    byTarget.set(property, map);
    map.set(key, value);
  },
  getOwnMetadata(key: Key, target: object, property?: PropertyKey): unknown {
    return own(target, property)?.get(key);
  },
  hasOwnMetadata(key: Key, target: object, property?: PropertyKey): boolean {
    return own(target, property)?.has(key) ?? false;
  },
  getMetadata(key: Key, target: object, property?: PropertyKey): unknown {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const map = own(t, property);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  },
  hasMetadata(key: Key, target: object, property?: PropertyKey): boolean {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t))
      if (own(t, property)?.has(key)) return true;
    return false;
  },
  metadata(key: Key, value: unknown) {
    return (target: object, property?: PropertyKey) => metadata.defineMetadata(key, value, target, property);
  },
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect['getMetadata'] !== 'function') {
  for (const [name, fn] of Object.entries(metadata)) reflect[name] = fn;
}
