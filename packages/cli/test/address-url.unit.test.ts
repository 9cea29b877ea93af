// The address `archy app list` prints for an app: the node's host as ARCHY_URL names it, the app's gateway
// scheme, port and path; nothing else of ARCHY_URL (credentials, query) leaks into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressUrl } from '../src/client/address-url.ts';

const rows: [string, { scheme: 'http' | 'https'; port: number; path: string }, string][] = [
  ['http://127.0.0.1:8420', { scheme: 'http', port: 8500, path: '/' }, 'http://127.0.0.1:8500/'],
  ['https://node.lan:8443/', { scheme: 'https', port: 8501, path: '/admin' }, 'https://node.lan:8501/admin'],
  ['http://[::1]:8420', { scheme: 'http', port: 8502, path: 'ui/' }, 'http://[::1]:8502/ui/'],
  ['http://u:p@node.lan:8420/x', { scheme: 'https', port: 8503, path: '/' }, 'https://node.lan:8503/'],
];

for (const [node, address, expected] of rows) {
  test(`${node} + ${address.scheme} ${address.port} ${address.path} → ${expected}`, () => {
    assert.equal(addressUrl(node, address), expected);
  });
}
