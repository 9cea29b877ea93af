import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AppUnderTest } from '../../src/steps.ts';
import type { RealJob, RealJobContext } from './context.ts';

const WAIT_MS = 30_000;
/** Where the app reads the operator's own configuration snippets (its data volume). */
const CONF_DIR = '/var/lib/ngircd/conf.d';
const LOBBY = '#archipelago';
const LOBBY_TOPIC = 'Chat on this Archipelago node';

/** One parsed IRC line: `:prefix COMMAND param… :trailing`. */
interface Line {
  prefix: string;
  command: string;
  params: string[];
}

function parse(raw: string): Line {
  let rest = raw;
  let prefix = '';
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    prefix = space < 0 ? rest.slice(1) : rest.slice(1, space);
    rest = space < 0 ? '' : rest.slice(space + 1);
  }
  const params: string[] = [];
  while (rest.length > 0) {
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const space = rest.indexOf(' ');
    if (space < 0) {
      params.push(rest);
      break;
    }
    params.push(rest.slice(0, space));
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  return { prefix, command: (params.shift() ?? '').toUpperCase(), params };
}

/**
 * A raw IRC client over TCP: every line the server sends is kept in order, PINGs are answered at once (a
 * server drops a client that does not), and `expect` waits for the next line a predicate accepts.
 */
class IrcClient {
  readonly nick: string;
  readonly #socket: Socket;
  readonly #lines: Line[] = [];
  #buffer = '';
  #closed: string | undefined;
  #wake: (() => void) | undefined;

  private constructor(nick: string, socket: Socket) {
    this.nick = nick;
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (;;) {
        const end = this.#buffer.indexOf('\n');
        if (end < 0) break;
        const raw = this.#buffer.slice(0, end).replace(/\r$/, '');
        this.#buffer = this.#buffer.slice(end + 1);
        if (raw === '') continue;
        const line = parse(raw);
        if (line.command === 'PING') this.send(`PONG :${line.params[0] ?? ''}`);
        else this.#lines.push(line);
      }
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed ??= 'the server closed the connection';
      this.#wake?.();
    });
    socket.on('error', (error) => {
      this.#closed = error.message;
      this.#wake?.();
    });
  }

  static open(port: number, nick: string): Promise<IrcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(WAIT_MS, () => socket.destroy(new Error(`no answer from port ${port} in time`)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        resolve(new IrcClient(nick, socket));
      });
      socket.once('error', reject);
    });
  }

  send(line: string): void {
    if (this.#closed === undefined) this.#socket.write(`${line}\r\n`);
  }

  /** The first line (kept or yet to come) that `match` accepts, dropping the lines before it. */
  async expect(what: string, match: (line: Line) => boolean): Promise<Line> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = this.#lines.findIndex(match);
      if (at >= 0) return this.#lines.splice(0, at + 1)[at]!;
      if (this.#closed !== undefined) throw new Error(`${this.nick} waiting for ${what}: ${this.#closed}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.nick} waiting for ${what}: no such line in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** PASS, NICK and USER; resolves on 001 (welcome), fails on a refusal. */
  async register(password: string): Promise<void> {
    this.send(`PASS ${password}`);
    this.send(`NICK ${this.nick}`);
    this.send(`USER ${this.nick} 0 * :Archipelago gate`);
    const answer = await this.expect('the welcome (001)', (l) =>
      ['001', '464', '433', 'ERROR'].includes(l.command),
    );
    if (answer.command !== '001')
      throw new Error(`${this.nick} was not welcomed: ${answer.command} ${answer.params.join(' ')}`);
  }

  /** Joins `channel`; returns its topic (332), or undefined when the channel has none. */
  async join(channel: string): Promise<string | undefined> {
    this.send(`JOIN ${channel}`);
    let topic: string | undefined;
    for (;;) {
      const l = await this.expect(`joining ${channel}`, (x) =>
        ['332', '366', '403', '405', '471', '473', '474', '475'].includes(x.command),
      );
      if (l.command === '332') topic = l.params[2];
      else if (l.command === '366') return topic;
      else throw new Error(`${this.nick} cannot join ${channel}: ${l.command} ${l.params.join(' ')}`);
    }
  }

  close(): void {
    this.send('QUIT :done');
    this.#socket.end();
    this.#socket.destroy();
  }
}

/** A nick of at most 9 characters (the IRC default limit), different on every call. */
const nick = (role: string): string => `${role}${Math.floor(Math.random() * 1e6)}`.slice(0, 9);

/** The pre-defined channel the check keeps in the app's data: its name and topic come from the marker. */
const channelOf = (marker: string): string => `#${marker}`;

function port(ctx: RealJobContext, a: AppUnderTest): number {
  return ctx.hostPort(a, 'main', 6667);
}

/** Two signed-in clients in `channel`: one says `text`, the other must hear it from that nick. */
async function relay(alice: IrcClient, bob: IrcClient, channel: string, text: string): Promise<void> {
  alice.send(`PRIVMSG ${channel} :${text}`);
  await bob.expect(`${alice.nick}'s message in ${channel}`, (l) => {
    const from = l.prefix.split('!')[0];
    return l.command === 'PRIVMSG' && from === alice.nick && l.params[0] === channel && l.params[1] === text;
  });
}

/**
 * Both clients join the lobby and the marker's channel; the marker's channel must carry the marker as its
 * topic (kept in the data volume), and a message carrying the marker must reach the other client.
 */
async function chat(ctx: RealJobContext, a: AppUnderTest, marker: string): Promise<boolean> {
  const password = ctx.secret(a.manifest.id, 'password');
  const channel = channelOf(marker);
  const alice = await IrcClient.open(port(ctx, a), nick('alice'));
  const bob = await IrcClient.open(port(ctx, a), nick('bob')).catch((error: unknown) => {
    alice.close();
    throw error;
  });
  try {
    await alice.register(password);
    await bob.register(password);
    assert.equal(await alice.join(LOBBY), LOBBY_TOPIC, 'the lobby is there with its topic');
    await bob.join(LOBBY);
    if ((await alice.join(channel)) !== marker) return false;
    if ((await bob.join(channel)) !== marker) return false;
    // Bob's JOIN echoed to Alice: both are in, so her message has a listener.
    await alice.expect(
      `${bob.nick} joining ${channel}`,
      (l) => l.command === 'JOIN' && l.prefix.startsWith(`${bob.nick}!`) && l.params[0] === channel,
    );
    await relay(alice, bob, channel, `hello ${marker}`);
    await relay(bob, alice, LOBBY, `bye ${marker}`);
    return true;
  } finally {
    alice.close();
    bob.close();
  }
}

const job: RealJob = {
  // A client without the generated password is turned away. The check keeps a pre-defined channel in the
  // data volume (the marker as its name and topic), signs in as the operator with the generated operator
  // password and has the server re-read its configuration (REHASH), then two clients chat in it.
  async write(ctx, a, marker) {
    const id = a.manifest.id;
    const stranger = await IrcClient.open(port(ctx, a), nick('eve'));
    try {
      await assert.rejects(
        stranger.register('wrong-password'),
        /not welcomed|closed/,
        'a wrong password is refused',
      );
    } finally {
      stranger.close();
    }
    await ctx.exec(id, 'main', [
      'sh',
      '-c',
      'printf "[Channel]\\n\\tName = %s\\n\\tTopic = %s\\n\\tModes = +tn\\n" "$1" "$2" >"$0/archy-gate.conf"',
      CONF_DIR,
      channelOf(marker),
      marker,
    ]);
    const oper = await IrcClient.open(port(ctx, a), nick('oper'));
    try {
      await oper.register(ctx.secret(id, 'password'));
      oper.send(`OPER wrong ${ctx.secret(id, 'oper_password')}`);
      await oper.expect('a refused OPER (464/491)', (l) => l.command === '464' || l.command === '491');
      oper.send(`OPER archy ${ctx.secret(id, 'oper_password')}`);
      await oper.expect('the operator welcome (381)', (l) => l.command === '381');
      oper.send('REHASH');
      await oper.expect('the rehash notice (382)', (l) => l.command === '382');
      // The server re-reads its configuration after answering: ask for the topic until the channel is there.
      for (let tries = 0; ; tries++) {
        oper.send(`TOPIC ${channelOf(marker)}`);
        const l = await oper.expect('the new channel', (x) =>
          ['332', '331', '403', '442'].includes(x.command),
        );
        if (l.command === '332' && l.params[2] === marker) break;
        assert.ok(tries < 50, `${channelOf(marker)} appears after REHASH (last: ${l.command})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      oper.close();
    }
    assert.ok(await chat(ctx, a, marker), 'two clients chat in the new channel');
  },
  // After a restart the channel comes back from the data volume with its topic, and chat works again.
  async read(ctx, a, marker) {
    return chat(ctx, a, marker);
  },
};

export default job;
