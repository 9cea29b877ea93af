// Reading what the daemon sends, without trusting its shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformCode, readEnvelope } from '../src/api/envelope.ts';
import { parsePushMessage } from '../src/api/pushParse.ts';

describe('readEnvelope', () => {
  it('returns the result of a matching answer', () => {
    assert.deepEqual(readEnvelope({ jsonrpc: '2.0', id: 3, result: [1] }, 3), { ok: true, result: [1] });
  });

  it('returns the error with its data', () => {
    const body = {
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32012, message: 'grant it', data: { code: 'PERMISSION' } },
    };
    const envelope = readEnvelope(body, 3);
    assert.deepEqual(envelope, {
      ok: false,
      code: -32012,
      message: 'grant it',
      data: { code: 'PERMISSION' },
    });
    assert.equal(platformCode({ code: 'PERMISSION' }, 'x'), 'PERMISSION');
    assert.equal(platformCode(undefined, 'x'), 'x');
  });

  it('says what is wrong with a malformed answer', () => {
    assert.equal(readEnvelope('nope', 1), 'the body is not a JSON object');
    assert.equal(readEnvelope({ jsonrpc: '1.0', id: 1 }, 1), 'field "jsonrpc" is not "2.0"');
    assert.equal(readEnvelope({ jsonrpc: '2.0', id: 2, result: 1 }, 1), 'field "id" is 2, expected 1');
    assert.equal(readEnvelope({ jsonrpc: '2.0', id: 1 }, 1), 'neither "result" nor "error" is present');
    assert.equal(
      readEnvelope({ jsonrpc: '2.0', id: 1, error: { code: 'x' } }, 1),
      'field "error.code" is not a number',
    );
  });
});

describe('parsePushMessage', () => {
  it('accepts the events the daemon sends', () => {
    const removed = parsePushMessage(
      '{"seq":4,"boot":"b1","type":"app-state","appId":"a","state":null,"detail":null,"at":"t"}',
    );
    assert.equal(typeof removed === 'object' && removed.type, 'app-state');
    const resync = parsePushMessage('{"seq":9,"boot":"b1","type":"resync"}');
    assert.equal(typeof resync === 'object' && resync.type, 'resync');
    const job = parsePushMessage(
      '{"seq":5,"boot":"b1","type":"job-progress","job":{"id":"j","appId":"a","percent":3,"state":"running"}}',
    );
    assert.equal(typeof job === 'object' && job.type, 'job-progress');
  });

  it('names the field that is wrong', () => {
    assert.equal(parsePushMessage('{'), 'message is not JSON');
    assert.equal(parsePushMessage('{"type":"resync"}'), 'field "seq" is not an integer');
    assert.equal(parsePushMessage('{"seq":1,"type":"resync"}'), 'field "boot" is not a string');
    assert.equal(
      parsePushMessage('{"seq":1,"boot":"b1","type":"boom"}'),
      'field "type" is "boom", not a known event',
    );
    assert.equal(
      parsePushMessage('{"seq":1,"boot":"b1","type":"app-state","appId":"a","state":7}'),
      'field "state" of an app-state event is neither a state nor null',
    );
    assert.equal(
      parsePushMessage(
        '{"seq":1,"boot":"b1","type":"job-progress","job":{"id":"j","appId":"a","state":"running"}}',
      ),
      'field "job.percent" is not a number',
    );
  });
});
