/** @module api/executor.test — every server-API method against a fake node. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { HistoryOptions, HistoryResult, PublishOptions, PublishResult } from '../core/broker.js';
import { type ChannelOptions, type ChannelOptionsResolver, DEFAULT_CHANNEL_OPTIONS } from '../core/channel-options.js';
import { ClientError, ClientErrors } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { PresenceStats } from '../core/presence.js';
import type { ClientInfo } from '../core/types.js';
import { GlobError } from '../util/glob.js';
import { Executor } from './executor.js';
import type { ApiNode, DisconnectFilter, NodeInfo, RefreshUserOptions, SubscribeUserOptions, UserConnectionFilter } from './node-port.js';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const BAD_REQUEST = { code: 107, message: 'bad request' };
const UNKNOWN_CHANNEL = { code: 102, message: 'unknown channel' };
const INTERNAL = { code: 100, message: 'internal server error' };
const NOT_AVAILABLE = { code: 108, message: 'not available' };
const NOT_FOUND = { code: 104, message: 'not found' };

/** Namespaces: '' (all off), hist (history), pres (presence), delta (delta_publish); boom/bad fail. */
class FakeResolver implements ChannelOptionsResolver {
  resolve(channel: string): ChannelOptions {
    const ns = channel.includes(':') ? channel.slice(0, channel.indexOf(':')) : '';
    switch (ns) {
      case '':
        return DEFAULT_CHANNEL_OPTIONS;
      case 'hist':
        return { ...DEFAULT_CHANNEL_OPTIONS, namespace: ns, historySize: 10, historyTtlMs: 60_000, historyMetaTtlMs: 3_600_000 };
      case 'sizeonly':
        return { ...DEFAULT_CHANNEL_OPTIONS, namespace: ns, historySize: 10, historyTtlMs: 0 };
      case 'pres':
        return { ...DEFAULT_CHANNEL_OPTIONS, namespace: ns, presence: true };
      case 'delta':
        return { ...DEFAULT_CHANNEL_OPTIONS, namespace: ns, deltaPublish: true };
      case 'boom':
        throw new Error('resolver exploded');
      case 'bad':
        throw new ClientError(ClientErrors.BadRequest);
      case 'perm':
        throw new ClientError(ClientErrors.PermissionDenied);
      default:
        throw new ClientError(ClientErrors.UnknownChannel);
    }
  }
}

type Call = [method: string, ...args: unknown[]];

class FakeNode implements ApiNode {
  readonly calls: Call[] = [];
  publishImpl: (channel: string, data: Uint8Array, options: PublishOptions) => Promise<PublishResult> = async (channel, _d, options) =>
    options.history !== undefined ? { position: { offset: 7, epoch: 'ep' }, suppressed: false } : { position: { offset: 0, epoch: '' }, suppressed: false };
  historyImpl: (channel: string, options: HistoryOptions) => Promise<HistoryResult> = async () => ({
    publications: [],
    position: { offset: 3, epoch: 'ep' },
  });
  fail: Error | undefined;

  #maybeFail(): void {
    if (this.fail !== undefined) throw this.fail;
  }
  publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    this.calls.push(['publish', channel, new TextDecoder().decode(data), options]);
    return this.publishImpl(channel, data, options);
  }
  async history(channel: string, options: HistoryOptions): Promise<HistoryResult> {
    this.calls.push(['history', channel, options]);
    this.#maybeFail();
    return this.historyImpl(channel, options);
  }
  async removeHistory(channel: string): Promise<void> {
    this.calls.push(['removeHistory', channel]);
    this.#maybeFail();
  }
  async presence(channel: string): Promise<Map<string, ClientInfo>> {
    this.calls.push(['presence', channel]);
    this.#maybeFail();
    return new Map([
      ['c1', { clientId: 'c1', userId: 'u1', connInfo: b('{"a":1}') }],
      ['c2', { clientId: 'c2', userId: '', chanInfo: b('"x"'), connInfo: new Uint8Array(0) }],
    ]);
  }
  async presenceStats(channel: string): Promise<PresenceStats> {
    this.calls.push(['presenceStats', channel]);
    this.#maybeFail();
    return { numClients: 3, numUsers: 2 };
  }
  async subscribeUser(userId: string, channel: string, options: SubscribeUserOptions): Promise<void> {
    this.calls.push(['subscribeUser', userId, channel, options]);
    this.#maybeFail();
  }
  async unsubscribeUser(userId: string, channel: string, filter: UserConnectionFilter): Promise<void> {
    this.calls.push(['unsubscribeUser', userId, channel, filter]);
    this.#maybeFail();
  }
  async disconnectUser(userId: string, filter: DisconnectFilter, disconnect?: { code: number; reason: string }): Promise<void> {
    this.calls.push(['disconnectUser', userId, filter, disconnect]);
    this.#maybeFail();
  }
  async refreshUser(userId: string, filter: UserConnectionFilter, options: RefreshUserOptions): Promise<void> {
    this.calls.push(['refreshUser', userId, filter, options]);
    this.#maybeFail();
  }
  async channels(pattern: string): Promise<Map<string, number>> {
    this.calls.push(['channels', pattern]);
    this.#maybeFail();
    return new Map([
      ['chat', 2],
      ['__proto__', 1],
    ]);
  }
  async info(): Promise<NodeInfo[]> {
    this.calls.push(['info']);
    this.#maybeFail();
    return [{ uid: 'u', name: 'n', version: 'v', numClients: 1, numUsers: 1, numChannels: 2, numSubs: 3, uptimeSec: 9 }];
  }
}

function setup(): { node: FakeNode; ex: Executor; observed: Array<[string, string, number]> } {
  const node = new FakeNode();
  const observed: Array<[string, string, number]> = [];
  const ex = new Executor({
    node,
    channels: new FakeResolver(),
    logger: silentLogger,
    version: '1.2.3',
    onCommand: (method, protocol, sec) => observed.push([method, protocol, sec]),
  });
  return { node, ex, observed };
}

void describe('publish', () => {
  void test('validation: 107 for missing channel, missing/empty data, bad base64', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.publish({ data: b('{}') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.publish({ channel: '', data: b('{}') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.publish({ channel: 'a' }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.publish({ channel: 'a', data: new Uint8Array(0) }), { error: BAD_REQUEST });
    for (const bad of ['!!!!', 'YQ', 'YQ=', 'Y', '_-8=', 'YQ==YQ==', 'YQ== ']) {
      assert.deepEqual(await ex.publish({ channel: 'a', b64data: bad }), { error: BAD_REQUEST }, bad);
    }
    assert.deepEqual(await ex.publish({ channel: 'a', b64data: 'YQ==', data: b('{}') }), { result: {} }); // b64 wins
    assert.deepEqual(node.calls.at(-1)?.[2], 'a');
    assert.equal(node.calls.length, 1);
  });

  void test('channel errors: 102 unknown namespace, 107 from resolver, 100 otherwise', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.publish({ channel: 'nope:x', data: b('1') }), { error: UNKNOWN_CHANNEL });
    assert.deepEqual(await ex.publish({ channel: 'bad:x', data: b('1') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.publish({ channel: 'boom:x', data: b('1') }), { error: INTERNAL });
    assert.deepEqual(await ex.publish({ channel: 'perm:x', data: b('1') }), { error: INTERNAL });
    assert.equal(node.calls.length, 0);
  });

  void test('broker failure (async or sync throw) is 100', async () => {
    const { ex, node } = setup();
    node.publishImpl = async () => {
      throw new Error('redis down');
    };
    assert.deepEqual(await ex.publish({ channel: 'a', data: b('1') }), { error: INTERNAL });
    node.publishImpl = () => {
      throw new Error('sync');
    };
    assert.deepEqual(await ex.publish({ channel: 'a', data: b('1') }), { error: INTERNAL });
  });

  void test('history settings from the namespace, skip_history, delta, tags, idempotency key', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.publish({ channel: 'hist:a', data: b('{"x":1}'), tags: { t: 'v' }, idempotency_key: 'k1' }), {
      result: { offset: 7, epoch: 'ep' },
    });
    assert.deepEqual(node.calls[0], [
      'publish',
      'hist:a',
      '{"x":1}',
      { history: { size: 10, ttlMs: 60_000, metaTtlMs: 3_600_000 }, tags: { t: 'v' }, idempotencyKey: 'k1', delta: false },
    ]);
    assert.deepEqual(await ex.publish({ channel: 'hist:a', data: b('1'), skip_history: true }), { result: {} });
    assert.equal((node.calls[1]?.[3] as PublishOptions).history, undefined);
    await ex.publish({ channel: 'sizeonly:a', data: b('1') });
    assert.equal((node.calls[2]?.[3] as PublishOptions).history, undefined, 'history needs size and ttl');
    await ex.publish({ channel: 'a', data: b('1'), delta: true });
    assert.equal((node.calls[3]?.[3] as PublishOptions).delta, true);
    await ex.publish({ channel: 'delta:a', data: b('1') });
    assert.equal((node.calls[4]?.[3] as PublishOptions).delta, true, 'delta_publish of the namespace');
    await ex.publish({ channel: 'a', data: b('1'), tags: {}, idempotency_key: '' });
    assert.deepEqual(node.calls[5]?.[3], { history: undefined, tags: undefined, idempotencyKey: undefined, delta: false });
  });

  void test('idempotent (suppressed) publish returns the cached position', async () => {
    const { ex, node } = setup();
    node.publishImpl = async () => ({ position: { offset: 4, epoch: 'old' }, suppressed: true });
    assert.deepEqual(await ex.publish({ channel: 'hist:a', data: b('1'), idempotency_key: 'k' }), { result: { offset: 4, epoch: 'old' } });
  });
});

void describe('broadcast', () => {
  void test('top-level validation', async () => {
    const { ex } = setup();
    assert.deepEqual(await ex.broadcast({ data: b('1') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.broadcast({ channels: [], data: b('1') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.broadcast({ channels: ['a'] }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.broadcast({ channels: ['a'], b64data: 'x' }), { error: BAD_REQUEST });
  });

  void test('per-channel errors in channel order', async () => {
    const { ex, node } = setup();
    node.publishImpl = async (channel, _d, options) => {
      if (channel === 'fail') throw new Error('broker');
      return { position: options.history ? { offset: 1, epoch: 'e' } : { offset: 0, epoch: '' }, suppressed: false };
    };
    const res = await ex.broadcast({ channels: ['a', '', 'nope:x', 'hist:y', 'fail', 'boom:z'], b64data: 'e30=' });
    assert.deepEqual(res, {
      result: {
        responses: [{ result: {} }, { error: BAD_REQUEST }, { error: UNKNOWN_CHANNEL }, { result: { offset: 1, epoch: 'e' } }, { error: INTERNAL }, { error: INTERNAL }],
      },
    });
    assert.deepEqual(
      node.calls.map((c) => [c[1], c[2]]),
      [
        ['a', '{}'],
        ['hist:y', '{}'],
        ['fail', '{}'],
      ],
    );
  });

  void test('order is kept when publishes complete out of order; at most 1024 in flight', async () => {
    const { ex, node } = setup();
    let inFlight = 0;
    let maxInFlight = 0;
    const n = 1500;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    setImmediate(release); // after every worker that can start has started
    node.publishImpl = async (channel) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      const i = Number(channel.slice(1));
      // Later channels finish first.
      for (let k = 0; k < (n - i) % 7; k++) await Promise.resolve();
      inFlight--;
      return { position: { offset: i + 1, epoch: 'e' }, suppressed: false };
    };
    const channels = Array.from({ length: n }, (_, i) => `c${i}`);
    const res = await ex.broadcast({ channels, data: b('1') });
    assert.equal(res.result?.responses?.length, n);
    res.result?.responses?.forEach((r, i) => assert.deepEqual(r, { result: { offset: i + 1, epoch: 'e' } }));
    assert.equal(maxInFlight, 1024);
  });
});

void describe('subscribe / unsubscribe / disconnect / refresh', () => {
  void test('subscribe validation', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.subscribe({ user: 'u' }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.subscribe({ user: 'u', channel: 'nope:x' }), { error: UNKNOWN_CHANNEL });
    assert.equal(node.calls.length, 0);
    node.fail = new Error('control bus down');
    assert.deepEqual(await ex.subscribe({ user: 'u', channel: 'a' }), { error: INTERNAL });
  });

  void test('subscribe passes every argument; b64info/b64data are ignored (v5 quirk)', async () => {
    const { ex, node } = setup();
    const res = await ex.subscribe({
      channel: 'pres:x',
      user: 'u1',
      expire_at: 1_900_000_000,
      info: b('{"i":1}'),
      b64info: 'aQ==',
      client: 'cid',
      session: 'sid',
      data: b('{"d":1}'),
      b64data: 'ZA==',
      recover_since: { offset: 5, epoch: 'ep' },
      override: { presence: { value: false }, join_leave: { value: true }, force_recovery: {}, force_positioning: { value: true } },
    });
    assert.deepEqual(res, { result: {} });
    assert.deepEqual(node.calls, [
      [
        'subscribeUser',
        'u1',
        'pres:x',
        {
          clientId: 'cid',
          sessionId: 'sid',
          expireAtSec: 1_900_000_000,
          chanInfo: b('{"i":1}'),
          data: b('{"d":1}'),
          recoverSince: { offset: 5, epoch: 'ep' },
          override: { presence: false, joinLeave: true, forcePositioning: true, forceRecovery: false },
        },
      ],
    ]);
    await ex.subscribe({ channel: 'a' });
    assert.deepEqual(node.calls[1], ['subscribeUser', '', 'a', {}]);
    await ex.subscribe({ channel: 'a', user: 'u', recover_since: {} });
    assert.deepEqual(node.calls[2], ['subscribeUser', 'u', 'a', { recoverSince: { offset: 0, epoch: '' } }]);
  });

  void test('unsubscribe: empty channel allowed, namespace checked otherwise, filter passed', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.unsubscribe({ user: 'u' }), { result: {} });
    assert.deepEqual(await ex.unsubscribe({ user: 'u', channel: 'nope:x' }), { error: UNKNOWN_CHANNEL });
    assert.deepEqual(await ex.unsubscribe({ user: 'u', channel: 'a', client: 'c', session: 's' }), { result: {} });
    assert.deepEqual(node.calls, [
      ['unsubscribeUser', 'u', '', {}],
      ['unsubscribeUser', 'u', 'a', { clientId: 'c', sessionId: 's' }],
    ]);
  });

  void test('disconnect: custom code/reason, default, whitelist, client, session', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.disconnect({ user: 'u', disconnect: { code: 4000, reason: 'bye' }, whitelist: ['keep'], client: 'c', session: 's' }), { result: {} });
    assert.deepEqual(await ex.disconnect({ user: 'u2' }), { result: {} });
    assert.deepEqual(await ex.disconnect({ user: 'u3', disconnect: {} }), { result: {} });
    assert.deepEqual(node.calls, [
      ['disconnectUser', 'u', { clientId: 'c', sessionId: 's', whitelist: ['keep'] }, { code: 4000, reason: 'bye' }],
      ['disconnectUser', 'u2', {}, undefined],
      ['disconnectUser', 'u3', {}, { code: 0, reason: '' }],
    ]);
    node.fail = new Error('x');
    assert.deepEqual(await ex.disconnect({ user: 'u' }), { error: INTERNAL });
  });

  void test('refresh: expired, expire_at, info, filter', async () => {
    const { ex, node } = setup();
    await ex.refresh({ user: 'u', client: 'c', session: 's', expired: true });
    await ex.refresh({ user: 'u', expire_at: 1_900_000_000, info: b('{"n":2}') });
    await ex.refresh({ user: 'u', expired: false, expire_at: 0, info: new Uint8Array(0) });
    assert.deepEqual(node.calls, [
      ['refreshUser', 'u', { clientId: 'c', sessionId: 's' }, { expired: true }],
      ['refreshUser', 'u', {}, { expireAtSec: 1_900_000_000, info: b('{"n":2}') }],
      ['refreshUser', 'u', {}, {}],
    ]);
  });
});

/**
 * The checks every channel read runs first: no channel → 107, an unknown namespace → 102, and 108 for
 * `a` (the feature is off in the default namespace) and for each of `notAvailable`.
 */
async function assertChannelChecks(
  ex: Executor,
  methods: readonly ('presence' | 'presenceStats' | 'history' | 'historyRemove')[],
  notAvailable: readonly string[],
): Promise<void> {
  for (const m of methods) {
    assert.deepEqual(await ex[m]({}), { error: BAD_REQUEST }, m);
    assert.deepEqual(await ex[m]({ channel: 'nope:x' }), { error: UNKNOWN_CHANNEL }, m);
    for (const channel of ['a', ...notAvailable]) assert.deepEqual(await ex[m]({ channel }), { error: NOT_AVAILABLE }, `${m} ${channel}`);
  }
}

/** Makes publishes log their start and end; channel `a` takes a few more microtask turns than the others. */
function logPublishes(node: FakeNode): string[] {
  const log: string[] = [];
  node.publishImpl = async (channel) => {
    log.push(`start ${channel}`);
    for (let k = 0; k < (channel === 'a' ? 5 : 1); k++) await Promise.resolve();
    log.push(`end ${channel}`);
    return { position: { offset: 0, epoch: '' }, suppressed: false };
  };
  return log;
}

void describe('presence / presence_stats', () => {
  void test('validation and 108 when presence is off', async () => {
    const { ex, node } = setup();
    await assertChannelChecks(ex, ['presence', 'presenceStats'], []);
    assert.equal(node.calls.length, 0);
    node.fail = new Error('no presence manager');
    assert.deepEqual(await ex.presence({ channel: 'pres:a' }), { error: INTERNAL });
    assert.deepEqual(await ex.presenceStats({ channel: 'pres:a' }), { error: INTERNAL });
  });

  void test('results are mapped to proto shape', async () => {
    const { ex } = setup();
    const p = await ex.presence({ channel: 'pres:a' });
    assert.deepEqual({ ...p.result?.presence }, {
      c1: { user: 'u1', client: 'c1', conn_info: b('{"a":1}') },
      c2: { user: '', client: 'c2', chan_info: b('"x"') },
    });
    assert.deepEqual(await ex.presenceStats({ channel: 'pres:a' }), { result: { num_clients: 3, num_users: 2 } });
  });
});

void describe('history / history_remove', () => {
  void test('validation: 107, 102, 108 (needs size and ttl)', async () => {
    const { ex, node } = setup();
    await assertChannelChecks(ex, ['history', 'historyRemove'], ['sizeonly:a']);
    assert.equal(node.calls.length, 0);
  });

  void test('limit, since, reverse and meta TTL are passed through', async () => {
    const { ex, node } = setup();
    await ex.history({ channel: 'hist:a' });
    await ex.history({ channel: 'hist:a', limit: -1, since: { offset: 4, epoch: 'ep' }, reverse: true });
    await ex.history({ channel: 'hist:a', limit: 2, since: {} });
    assert.deepEqual(node.calls, [
      ['history', 'hist:a', { since: undefined, limit: 0, reverse: false, metaTtlMs: 3_600_000 }],
      ['history', 'hist:a', { since: { offset: 4, epoch: 'ep' }, limit: -1, reverse: true, metaTtlMs: 3_600_000 }],
      ['history', 'hist:a', { since: { offset: 0, epoch: '' }, limit: 2, reverse: false, metaTtlMs: 3_600_000 }],
    ]);
  });

  void test('112 for an epoch mismatch, 100 for any other node error (reverse-from-0 quirk)', async () => {
    const { ex, node } = setup();
    node.historyImpl = async () => {
      throw new ClientError(ClientErrors.UnrecoverablePosition);
    };
    assert.deepEqual(await ex.history({ channel: 'hist:a', since: { offset: 1, epoch: 'other' } }), {
      error: { code: 112, message: 'unrecoverable position' },
    });
    node.historyImpl = async () => {
      throw new ClientError(ClientErrors.BadRequest);
    };
    assert.deepEqual(await ex.history({ channel: 'hist:a', reverse: true, since: { offset: 0, epoch: '' } }), { error: INTERNAL });
    node.historyImpl = async () => {
      throw new ClientError(ClientErrors.NotAvailable);
    };
    assert.deepEqual(await ex.history({ channel: 'hist:a' }), { error: INTERNAL });
  });

  void test('result mapping: publications, info, tags, always-set position', async () => {
    const { ex, node } = setup();
    node.historyImpl = async () => ({
      publications: [
        { offset: 1, data: b('{"a":1}') },
        { offset: 2, data: b('"b"'), info: { clientId: 'c', userId: 'u', connInfo: b('{}') }, tags: { k: 'v' }, timeMs: 5, delta: true },
      ],
      position: { offset: 2, epoch: 'ep' },
    });
    assert.deepEqual(await ex.history({ channel: 'hist:a', limit: -1 }), {
      result: {
        publications: [
          { offset: 1, data: b('{"a":1}') },
          { offset: 2, data: b('"b"'), info: { user: 'u', client: 'c', conn_info: b('{}') }, tags: { k: 'v' } },
        ],
        epoch: 'ep',
        offset: 2,
      },
    });
  });

  void test('history_remove calls the node; failures are 100', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.historyRemove({ channel: 'hist:a' }), { result: {} });
    assert.deepEqual(node.calls, [['removeHistory', 'hist:a']]);
    node.fail = new Error('x');
    assert.deepEqual(await ex.historyRemove({ channel: 'hist:a' }), { error: INTERNAL });
  });
});

void describe('channels / info / rpc', () => {
  void test('channels: pattern passed, counts mapped; bad pattern and failures are 100', async () => {
    const { ex, node } = setup();
    const res = await ex.channels({ pattern: 'ch*' });
    assert.deepEqual({ ...res.result?.channels }, { chat: { num_clients: 2 }, ['__proto__']: { num_clients: 1 } });
    assert.equal(Object.getPrototypeOf(res.result?.channels), null);
    await ex.channels({});
    assert.deepEqual(node.calls, [
      ['channels', 'ch*'],
      ['channels', ''],
    ]);
    node.fail = new GlobError('[', 'unclosed [');
    assert.deepEqual(await ex.channels({ pattern: '[' }), { error: INTERNAL });
    node.fail = new Error('survey timeout');
    assert.deepEqual(await ex.channels({}), { error: INTERNAL });
  });

  void test('info maps node records', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.info({}), {
      result: { nodes: [{ uid: 'u', name: 'n', version: 'v', num_clients: 1, num_users: 1, num_channels: 2, uptime: 9, num_subs: 3 }] },
    });
    node.fail = new Error('x');
    assert.deepEqual(await ex.info(), { error: INTERNAL });
    assert.equal(ex.version, '1.2.3');
  });

  void test('rpc: 107 without method, 104 for any method', async () => {
    const { ex } = setup();
    assert.deepEqual(await ex.rpc({}), { error: BAD_REQUEST });
    assert.deepEqual(await ex.rpc({ method: '', params: b('{}') }), { error: BAD_REQUEST });
    assert.deepEqual(await ex.rpc({ method: 'getUser', params: b('{}') }), { error: NOT_FOUND });
  });
});

void describe('batch', () => {
  void test('replies in order, typed by command kind; unknown kinds 104; priority order', async () => {
    const { ex } = setup();
    const res = await ex.batch({
      commands: [
        { publish: { channel: 'a', data: b('{}') } },
        { publish: { channel: 'nope:x', data: b('{}') } },
        { presence_stats: { channel: 'pres:a' } },
        {},
        { method: 0, params: b('{"channel":"a","data":{}}') },
        { history: { channel: 'hist:a' }, publish: { channel: 'hist:a', data: b('1') } },
        { info: {} },
        { rpc: { method: 'x' } },
        { broadcast: { channels: ['a'], data: b('1') } },
      ],
    });
    assert.deepEqual(res.replies, [
      { publish: {} },
      { error: UNKNOWN_CHANNEL },
      { presence_stats: { num_clients: 3, num_users: 2 } },
      { error: NOT_FOUND },
      { error: NOT_FOUND },
      { publish: { offset: 7, epoch: 'ep' } },
      { info: { nodes: [{ uid: 'u', name: 'n', version: 'v', num_clients: 1, num_users: 1, num_channels: 2, uptime: 9, num_subs: 3 }] } },
      { error: NOT_FOUND },
      { broadcast: { responses: [{ result: {} }] } },
    ]);
    assert.deepEqual(await ex.batch({}), { replies: [] });
  });

  void test('sequential by default: each command finishes before the next starts', async () => {
    const { ex, node } = setup();
    const log = logPublishes(node);
    const res = await ex.batch({ commands: [{ publish: { channel: 'a', data: b('1') } }, { publish: { channel: 'b', data: b('1') } }] });
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
    assert.equal(res.replies?.length, 2);
  });

  void test('parallel: commands overlap, replies still in command order', async () => {
    const { ex, node } = setup();
    const log = logPublishes(node);
    const res = await ex.batch({
      parallel: true,
      commands: [{ publish: { channel: 'a', data: b('1') } }, { publish: { channel: 'b', data: b('1') } }, { publish: { channel: '', data: b('1') } }],
    });
    assert.deepEqual(log, ['start a', 'start b', 'end b', 'end a']);
    assert.deepEqual(res.replies, [{ publish: {} }, { publish: {} }, { error: BAD_REQUEST }]);
  });
});

void describe('plumbing', () => {
  void test('execute dispatches by wire name', async () => {
    const { ex, node } = setup();
    assert.deepEqual(await ex.execute('presence_stats', { channel: 'pres:a' }), { result: { num_clients: 3, num_users: 2 } });
    assert.deepEqual(await ex.execute('history_remove', { channel: 'hist:a' }, 'grpc'), { result: {} });
    assert.deepEqual(
      node.calls.map((c) => c[0]),
      ['presenceStats', 'removeHistory'],
    );
  });

  void test('onCommand observes each method (batch and its commands) with protocol and duration', async () => {
    const { ex, observed } = setup();
    await ex.publish({ channel: 'a', data: b('1') });
    await ex.presenceStats({ channel: 'x' }, 'grpc');
    await ex.batch({ commands: [{ history_remove: { channel: 'hist:a' } }] }, 'grpc');
    assert.deepEqual(
      observed.map(([m, p]) => [m, p]),
      [
        ['publish', 'http'],
        ['presence_stats', 'grpc'],
        ['history_remove', 'grpc'],
        ['batch', 'grpc'],
      ],
    );
    for (const [, , sec] of observed) assert.ok(sec >= 0 && sec < 5);
  });

  void test('a throwing observer does not break the call', async () => {
    const ex = new Executor({
      node: new FakeNode(),
      channels: new FakeResolver(),
      logger: silentLogger,
      onCommand: () => {
        throw new Error('metrics broken');
      },
    });
    assert.deepEqual(await ex.rpc({ method: 'x' }), { error: NOT_FOUND });
    assert.deepEqual(await ex.batch({ commands: [{}] }), { replies: [{ error: NOT_FOUND }] });
    assert.equal(ex.version, '');
  });

  void test('unexpected errors are logged once at error level', async () => {
    const errors: string[] = [];
    const logger = { ...silentLogger, error: (msg: string) => void errors.push(msg) };
    const node = new FakeNode();
    node.fail = new Error('x');
    const ex = new Executor({ node, channels: new FakeResolver(), logger });
    assert.deepEqual(await ex.presenceStats({ channel: 'pres:a' }), { error: INTERNAL });
    assert.deepEqual(errors, ['error calling presence stats']);
  });
});
