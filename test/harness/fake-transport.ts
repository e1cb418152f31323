/** @module test/harness/fake-transport — an in-memory core Transport capturing what the server writes. */
import type { Transport, TransportName } from '../../src/core/transport.js';
import type { ProtocolType } from '../../src/protocol/codec.js';

export class FakeTransport implements Transport {
  readonly name: TransportName;
  readonly protocol: ProtocolType;
  readonly unidirectional: boolean;
  readonly emulation = false;
  readonly appLevelPing = true;
  /** As the real transport of `name`: only a bidirectional WebSocket's close frame carries the reason. */
  readonly disconnectInCloseFrame: boolean;
  bufferedAmount = 0;
  /** When set, every write stays in `bufferedAmount` (a peer that stopped reading). */
  stalled = false;
  /** Every message written, decoded as UTF-8 (JSON protocol) in order. */
  readonly messages: string[] = [];
  /** Number of writeMessages calls (= transport writes). */
  writes = 0;
  closed: { code: number; reason: string } | undefined;

  constructor(options: { protocol?: ProtocolType; unidirectional?: boolean; name?: TransportName } = {}) {
    this.protocol = options.protocol ?? 'json';
    this.unidirectional = options.unidirectional ?? false;
    this.name = options.name ?? 'websocket';
    this.disconnectInCloseFrame = this.name === 'websocket';
  }

  writeMessages(messages: readonly Uint8Array[]): void {
    this.writes++;
    for (const m of messages) {
      this.messages.push(new TextDecoder().decode(m));
      if (this.stalled) this.bufferedAmount += m.byteLength;
    }
  }

  close(code: number, reasonText: string): void {
    this.closed ??= { code, reason: reasonText };
  }

  /** Parsed JSON messages. */
  json(): Record<string, unknown>[] {
    return this.messages.map((m) => JSON.parse(m) as Record<string, unknown>);
  }
}
