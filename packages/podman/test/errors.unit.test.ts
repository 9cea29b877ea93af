import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConflictError,
  describeError,
  EngineError,
  EngineUnavailableError,
  engineMessageFromBody,
  errorFromStatus,
  NotFoundError,
  PodmanError,
  TimeoutError,
} from '../src/errors.ts';

describe('errorFromStatus', () => {
  const table: [number, new (...args: never[]) => PodmanError, string][] = [
    [404, NotFoundError, 'NOT_FOUND'],
    [409, ConflictError, 'CONFLICT'],
    [400, EngineError, 'ENGINE_ERROR'],
    [500, EngineError, 'ENGINE_ERROR'],
    [503, EngineError, 'ENGINE_ERROR'],
  ];
  for (const [status, cls, code] of table) {
    test(`HTTP ${status} → ${cls.name} (${code})`, () => {
      const err = errorFromStatus(status, 'start container archy-x-web', 'engine says no');
      assert.ok(err instanceof cls);
      assert.ok(err instanceof PodmanError);
      assert.equal(err.code, code);
      assert.equal(err.operation, 'start container archy-x-web');
      assert.equal(err.engineMessage, 'engine says no');
      assert.match(err.message, /start container archy-x-web/);
      assert.doesNotMatch(err.message, /\n\s+at /, 'no stack in the message');
    });
  }

  test('an EngineError keeps the HTTP status', () => {
    const err = errorFromStatus(500, 'list containers', 'boom');
    assert.ok(err instanceof EngineError);
    assert.equal(err.status, 500);
  });

  test("Podman 4's HTTP 500 for a state conflict or a missing object is mapped by its message", () => {
    const kill = errorFromStatus(
      500,
      'send SIGKILL to container c',
      'can only kill running containers. x is in state stopped: container state improper',
    );
    assert.ok(kill instanceof ConflictError);
    const name = errorFromStatus(
      500,
      'create container c',
      'the container name "c" is already in use by abc',
    );
    assert.ok(name instanceof ConflictError);
    assert.ok(errorFromStatus(500, 'inspect exec e', 'no such exec session') instanceof NotFoundError);
    assert.ok(
      errorFromStatus(500, 'create container c', 'localhost/x:1: image not known') instanceof NotFoundError,
    );
    assert.ok(
      errorFromStatus(
        500,
        'create container c',
        'unable to find network with name or ID n: network not found',
      ) instanceof NotFoundError,
    );
    assert.ok(
      errorFromStatus(500, 'start container c', 'executable file not found in $PATH') instanceof EngineError,
    );
    assert.ok(errorFromStatus(500, 'list containers', 'disk full') instanceof EngineError);
  });

  test('an empty engine message still gives a sentence', () => {
    assert.match(
      errorFromStatus(404, 'inspect volume v', '  ').message,
      /inspect volume v: it does not exist \(HTTP 404\)/,
    );
  });
});

describe('engineMessageFromBody', () => {
  test("reads libpod's error body", () => {
    const body =
      '{"cause":"no such container","message":"no container with name or ID \\"x\\" found: no such container","response":404}';
    assert.equal(engineMessageFromBody(body), 'no container with name or ID "x" found: no such container');
  });
  test('falls back to cause, then to the raw text', () => {
    assert.equal(engineMessageFromBody('{"cause":"only cause"}'), 'only cause');
    assert.equal(engineMessageFromBody('plain text failure\n'), 'plain text failure');
    assert.equal(engineMessageFromBody('{"other":1}'), '{"other":1}');
  });
});

describe('describeError', () => {
  test('typed errors speak for themselves; others lose their stack', () => {
    const typed = new EngineUnavailableError('Podman is not available.');
    assert.equal(describeError(typed), 'Podman is not available.');
    assert.equal(typed.code, 'ENGINE_UNAVAILABLE');
    const plain = new Error('socket hang up');
    assert.equal(describeError(plain), 'Unexpected error talking to Podman: socket hang up');
    assert.equal(new TimeoutError('late', 5000).timeoutMs, 5000);
  });
});
