/**
 * @module test/contract/controller.contract — behaviour every Controller must show (Redis, NATS).
 *
 * The factory returns two unstarted controllers on one shared backend (two "nodes"); the suite starts them
 * with fresh node ids. "Not delivered" is proven by a later broadcast marker arriving first.
 */
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Controller } from '../../src/core/controller.js';
import { waitFor } from '../harness/wait.js';

/** Two controllers sharing one backend; `close` releases both (and tolerates closed controllers). */
export interface ControllerPair {
  a: Controller;
  b: Controller;
  close(): Promise<void>;
}

/** Options of the suite. */
export interface ControllerContractOptions {
  /** How long to wait for asynchronous delivery. @default 5000 */
  deliveryTimeoutMs?: number;
}

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Collects the messages one node receives. */
class Inbox {
  readonly messages: Uint8Array[] = [];
  constructor(private readonly timeoutMs: number) {}
  readonly onMessage = (data: Uint8Array): void => {
    this.messages.push(data);
  };
  has(payload: Uint8Array): boolean {
    const want = hex(payload);
    return this.messages.some((m) => hex(m) === want);
  }
  async waitFor(payload: Uint8Array, what: string): Promise<void> {
    await waitFor(() => this.has(payload), this.timeoutMs, what);
  }
  async waitCount(n: number, what: string): Promise<void> {
    await waitFor(() => this.messages.length >= n, this.timeoutMs, what);
  }
}

/** Registers the Controller contract suite for one engine. */
export function runControllerContract(
  name: string,
  factory: () => Promise<ControllerPair>,
  options: ControllerContractOptions = {},
): void {
  const timeoutMs = options.deliveryTimeoutMs ?? 5000;

  void describe(`Controller contract: ${name}`, () => {
    let pair: ControllerPair;
    let idA: string;
    let idB: string;
    let inA: Inbox;
    let inB: Inbox;

    beforeEach(async () => {
      pair = await factory();
      idA = `node-a-${randomUUID()}`;
      idB = `node-b-${randomUUID()}`;
      inA = new Inbox(timeoutMs);
      inB = new Inbox(timeoutMs);
      await pair.a.start(idA, inA.onMessage);
      await pair.b.start(idB, inB.onMessage);
    });

    afterEach(async () => {
      await pair.close();
    });

    void it('a broadcast reaches every node, the sender included', async () => {
      const msg = bytes('broadcast-1');
      await pair.a.publishControl(msg);
      await inA.waitFor(msg, 'broadcast at a');
      await inB.waitFor(msg, 'broadcast at b');
      assert.equal(inA.messages.length, 1);
      assert.equal(inB.messages.length, 1);
    });

    void it('a node-directed message reaches only the target', async () => {
      const direct = bytes('to-b');
      await pair.a.publishControl(direct, idB);
      await inB.waitFor(direct, 'direct message at b');
      const marker = bytes('marker');
      await pair.b.publishControl(marker);
      await inA.waitFor(marker, 'marker at a');
      await inB.waitFor(marker, 'marker at b');
      assert.deepEqual(inA.messages.map(hex), [hex(marker)], 'a must not see the message for b');
      assert.deepEqual(inB.messages.map(hex).sort(), [hex(direct), hex(marker)].sort());
    });

    void it('a node can address itself', async () => {
      const self = bytes('to-self');
      await pair.a.publishControl(self, idA);
      await inA.waitFor(self, 'self-addressed message');
      const marker = bytes('marker');
      await pair.a.publishControl(marker);
      await inB.waitFor(marker, 'marker at b');
      assert.deepEqual(inB.messages.map(hex), [hex(marker)]);
    });

    void it('messages to an unknown node are dropped', async () => {
      await pair.a.publishControl(bytes('nobody'), `node-x-${randomUUID()}`);
      const marker = bytes('marker');
      await pair.a.publishControl(marker);
      await inA.waitFor(marker, 'marker at a');
      await inB.waitFor(marker, 'marker at b');
      assert.deepEqual(inA.messages.map(hex), [hex(marker)]);
      assert.deepEqual(inB.messages.map(hex), [hex(marker)]);
    });

    void it('payloads arrive bytes-exact (binary, framing look-alikes, large)', async () => {
      const payloads = [
        Uint8Array.of(0x00, 0xff, 0x0d, 0x0a, 0x00),
        bytes('__p1:1:123__not a publication'),
        bytes('__j__'),
        bytes('привет, control'),
        new Uint8Array(randomBytes(256 * 1024)),
        Uint8Array.of(0x08, 0x96, 0x01),
      ];
      for (const p of payloads) await pair.b.publishControl(p);
      await inA.waitCount(payloads.length, `${payloads.length} messages at a`);
      await inB.waitCount(payloads.length, `${payloads.length} messages at b`);
      const want = payloads.map(hex).sort();
      assert.deepEqual(inA.messages.map(hex).sort(), want);
      assert.deepEqual(inB.messages.map(hex).sort(), want);
      for (const m of inA.messages) assert.ok(m instanceof Uint8Array);
    });

    void it('many messages from both nodes all arrive once', async () => {
      const n = 200;
      const sent: Uint8Array[] = [];
      const sends: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const from = i % 2 === 0 ? pair.a : pair.b;
        const msg = bytes(`m${i}`);
        sent.push(msg);
        sends.push(from.publishControl(msg));
      }
      await Promise.all(sends);
      await inA.waitCount(n, `${n} messages at a`);
      await inB.waitCount(n, `${n} messages at b`);
      const want = sent.map(hex).sort();
      assert.deepEqual(inA.messages.map(hex).sort(), want);
      assert.deepEqual(inB.messages.map(hex).sort(), want);
    });

    void it('close is idempotent and a closed node stops receiving', async () => {
      await pair.b.close();
      await pair.b.close();
      const marker = bytes('after-close');
      await pair.a.publishControl(marker);
      await inA.waitFor(marker, 'marker at a');
      assert.equal(inB.has(marker), false);
      await pair.a.close();
      await pair.a.close();
    });
  });
}
