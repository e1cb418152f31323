/**
 * @module test/harness/raw-client — a plain `ws` client speaking the client protocol by hand.
 *
 * It records every received frame and every message inside it (JSON lines or varint-delimited
 * Protobuf replies), lets tests wait for a message matching a predicate or for the close frame,
 * and sends hand-built JSON or Protobuf command frames. The Protobuf schema below is written for
 * these tests from the field facts of Centrifugo's client protocol v2 schema and is deliberately
 * independent of `src/protocol` so that the tests check the server's wire output on their own.
 */
import protobuf from 'protobufjs';
import { type ClientOptions, WebSocket } from 'ws';

/** A decoded wire message (a Reply: command reply, push or ping). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded wire messages are dynamic JSON; tests index into them freely
export type Wire = Record<string, any>;

export type RawProtocol = 'json' | 'protobuf';

export interface RawFrame {
  readonly data: Buffer;
  readonly binary: boolean;
  /** `Date.now()` when received. */
  readonly at: number;
}

export interface RawMessage {
  /** Index into `frames` of the frame that carried this message. */
  readonly frame: number;
  /** Decoded message (JSON object, or the Protobuf Reply converted to a plain object with snake_case names). */
  readonly value: Wire;
  /** JSON: the exact line text. Protobuf: lower-case hex of the message bytes (without the length prefix). */
  readonly raw: string;
  readonly at: number;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface RawConnectOptions {
  /** How received frames are decoded and `send` encodes; default: protobuf iff asked for by subprotocol/query. */
  protocol?: RawProtocol;
  /** `Sec-WebSocket-Protocol` values to offer. */
  subprotocols?: string[];
  /** Query parameters appended to the URL. */
  query?: Record<string, string>;
  /** `Origin` header (absent when undefined). */
  origin?: string;
  headers?: Record<string, string>;
  /** Answer native WebSocket PINGs automatically (ws default: true). */
  autoPong?: boolean;
  /** Max incoming payload for the client side (default 100 MiB). */
  maxPayload?: number;
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Protobuf schema (subset of Centrifugo's client protocol v2 schema: everything a non-experimental client sends/receives).

const PROTO = `
syntax = "proto3";
package testwire;
message Error { uint32 code = 1; string message = 2; bool temporary = 3; }
message Command {
  uint32 id = 1;
  ConnectRequest connect = 4; SubscribeRequest subscribe = 5; UnsubscribeRequest unsubscribe = 6;
  PublishRequest publish = 7; PresenceRequest presence = 8; PresenceStatsRequest presence_stats = 9;
  HistoryRequest history = 10; PingRequest ping = 11; SendRequest send = 12; RPCRequest rpc = 13;
  RefreshRequest refresh = 14; SubRefreshRequest sub_refresh = 15;
}
message Reply {
  uint32 id = 1; Error error = 2; Push push = 4; ConnectResult connect = 5; SubscribeResult subscribe = 6;
  UnsubscribeResult unsubscribe = 7; PublishResult publish = 8; PresenceResult presence = 9;
  PresenceStatsResult presence_stats = 10; HistoryResult history = 11; PingResult ping = 12;
  RPCResult rpc = 13; RefreshResult refresh = 14; SubRefreshResult sub_refresh = 15;
}
message Push {
  int64 id = 1; string channel = 2; Publication pub = 4; Join join = 5; Leave leave = 6;
  Unsubscribe unsubscribe = 7; Message message = 8; Subscribe subscribe = 9; Connect connect = 10;
  Disconnect disconnect = 11; Refresh refresh = 12;
}
message ClientInfo { string user = 1; string client = 2; bytes conn_info = 3; bytes chan_info = 4; }
message Publication {
  bytes data = 4; ClientInfo info = 5; uint64 offset = 6; map<string, string> tags = 7; bool delta = 8;
  int64 time = 9; string channel = 10; string key = 11; string epoch = 14;
}
message Join { ClientInfo info = 1; }
message Leave { ClientInfo info = 1; }
message Unsubscribe { uint32 code = 2; string reason = 3; }
message Subscribe { bool recoverable = 1; string epoch = 4; uint64 offset = 5; bool positioned = 6; bytes data = 7; }
message Message { bytes data = 1; }
message Connect {
  string client = 1; string version = 2; bytes data = 3; map<string, SubscribeResult> subs = 4;
  bool expires = 5; uint32 ttl = 6; uint32 ping = 7; bool pong = 8; string session = 9; string node = 10; int64 time = 11;
}
message Disconnect { uint32 code = 1; string reason = 2; bool reconnect = 3; }
message Refresh { bool expires = 1; uint32 ttl = 2; }
message ConnectRequest {
  string token = 1; bytes data = 2; map<string, SubscribeRequest> subs = 3; string name = 4; string version = 5;
  map<string, string> headers = 6;
}
message ConnectResult {
  string client = 1; string version = 2; bool expires = 3; uint32 ttl = 4; bytes data = 5;
  map<string, SubscribeResult> subs = 6; uint32 ping = 7; bool pong = 8; string session = 9; string node = 10; int64 time = 11;
}
message RefreshRequest { string token = 1; }
message RefreshResult { string client = 1; string version = 2; bool expires = 3; uint32 ttl = 4; }
message SubscribeRequest {
  string channel = 1; string token = 2; bool recover = 3; string epoch = 6; uint64 offset = 7; bytes data = 8;
  bool positioned = 9; bool recoverable = 10; bool join_leave = 11; string delta = 12; FilterNode tf = 13; int64 flag = 14;
}
message FilterNode {
  string op = 1; string key = 2; string cmp = 3; string val = 4; repeated string vals = 5; repeated FilterNode nodes = 6;
}
message SubscribeResult {
  bool expires = 1; uint32 ttl = 2; bool recoverable = 3; string epoch = 6; repeated Publication publications = 7;
  bool recovered = 8; uint64 offset = 9; bool positioned = 10; bytes data = 11; bool was_recovering = 12; bool delta = 13;
}
message SubRefreshRequest { string channel = 1; string token = 2; }
message SubRefreshResult { bool expires = 1; uint32 ttl = 2; }
message UnsubscribeRequest { string channel = 1; }
message UnsubscribeResult {}
message PublishRequest { string channel = 1; bytes data = 2; }
message PublishResult {}
message PresenceRequest { string channel = 1; }
message PresenceResult { map<string, ClientInfo> presence = 1; }
message PresenceStatsRequest { string channel = 1; }
message PresenceStatsResult { uint32 num_clients = 1; uint32 num_users = 2; }
message StreamPosition { uint64 offset = 1; string epoch = 2; }
message HistoryRequest { string channel = 1; int32 limit = 7; StreamPosition since = 8; bool reverse = 9; }
message HistoryResult { repeated Publication publications = 1; string epoch = 2; uint64 offset = 3; }
message PingRequest {}
message PingResult {}
message RPCRequest { bytes data = 1; string method = 2; }
message RPCResult { bytes data = 1; }
message SendRequest { bytes data = 1; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const CommandType = root.lookupType('testwire.Command');
const ReplyType = root.lookupType('testwire.Reply');

/** Encodes one Command (snake_case plain object; bytes as Uint8Array/Buffer) to Protobuf bytes, unframed. */
export function encodeProtoCommand(cmd: Wire): Uint8Array {
  const err = CommandType.verify(cmd);
  if (err) throw new Error(`bad test command: ${err}`);
  return CommandType.encode(CommandType.fromObject(cmd)).finish();
}

/** Decodes one Protobuf Reply (unframed) to a plain object: snake_case names, numbers, Buffers for bytes. */
function decodeProtoReply(bytes: Uint8Array): Wire {
  const msg = ReplyType.decode(bytes);
  return ReplyType.toObject(msg, { longs: Number, defaults: false, arrays: false, objects: false });
}

/** Unsigned LEB128 varint. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** Varint-length-prefixes and concatenates messages (Centrifugo's Protobuf framing). */
export function protoFrame(messages: readonly Uint8Array[]): Buffer {
  return Buffer.concat(messages.flatMap((m) => [varint(m.byteLength), Buffer.from(m)]));
}

/** Splits a Protobuf frame into its length-delimited messages. Throws on a malformed frame. */
function splitProtoFrame(frame: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < frame.length) {
    let len = 0;
    let mul = 1;
    for (;;) {
      if (pos >= frame.length) throw new Error('truncated varint');
      const b = frame[pos++]!;
      len += (b & 0x7f) * mul;
      mul *= 0x80;
      if (b < 0x80) break;
    }
    if (pos + len > frame.length) throw new Error('truncated message');
    out.push(frame.subarray(pos, pos + len));
    pos += len;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Performs only the HTTP upgrade and reports the status (101 on success; the socket is then closed). */
export async function upgradeStatus(url: string, options: RawConnectOptions = {}): Promise<number> {
  const ws = new WebSocket(buildUrl(url, options.query), options.subprotocols ?? [], wsOptions(options));
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('upgrade timed out'));
    }, options.timeoutMs ?? 3000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.close(1000);
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

type Listener = () => void;

export class RawClient {
  readonly ws: WebSocket;
  readonly protocol: RawProtocol;
  readonly frames: RawFrame[] = [];
  readonly messages: RawMessage[] = [];
  /** Frames that could not be decoded (should stay empty: the server never sends garbage). */
  readonly decodeErrors: string[] = [];
  /** Native WebSocket PING frames received. */
  nativePings = 0;
  /** `Date.now()` of each native PING. */
  readonly nativePingTimes: number[] = [];
  closeInfo: CloseInfo | undefined;
  readonly closed: Promise<CloseInfo>;
  #listeners = new Set<Listener>();
  #nextId = 1;

  private constructor(ws: WebSocket, protocol: RawProtocol) {
    this.ws = ws;
    this.protocol = protocol;
    this.closed = new Promise<CloseInfo>((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
        this.#notify();
      });
    });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.#onFrame(buf, isBinary);
    });
    ws.on('ping', () => {
      this.nativePings++;
      this.nativePingTimes.push(Date.now());
      this.#notify();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a connection (resolves after the upgrade; rejects on an HTTP error). */
  static async open(url: string, options: RawConnectOptions = {}): Promise<RawClient> {
    const query = options.query ?? {};
    const protocol: RawProtocol =
      options.protocol ??
      ((options.subprotocols ?? []).includes('centrifuge-protobuf') || query.format === 'protobuf' || query.cf_protocol === 'protobuf'
        ? 'protobuf'
        : 'json');
    const ws = new WebSocket(buildUrl(url, query), options.subprotocols ?? [], wsOptions(options));
    const client = new RawClient(ws, protocol);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('websocket open timed out')), options.timeoutMs ?? 3000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        res.resume();
        reject(new Error(`unexpected HTTP ${res.statusCode ?? 0} on upgrade`));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return client;
  }

  /** The subprotocol the server selected (`''` when none). */
  get subprotocol(): string {
    return this.ws.protocol;
  }

  /** A fresh command id. */
  nextId(): number {
    return this.#nextId++;
  }

  // ---- sending ----

  sendText(text: string): void {
    this.ws.send(text, { binary: false });
  }

  sendBinary(data: Uint8Array): void {
    this.ws.send(data, { binary: true });
  }

  /** JSON frame: commands joined by `\n` (no trailing newline). Strings are sent as-is. */
  sendJson(...commands: (Wire | string)[]): void {
    this.sendText(commands.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('\n'));
  }

  /** Protobuf frame: each command varint-length-prefixed. `bytes` fields as Uint8Array. */
  sendProto(...commands: Wire[]): void {
    this.sendBinary(protoFrame(commands.map(encodeProtoCommand)));
  }

  /** Sends commands in one frame in this connection's protocol (for Protobuf, `data`-like fields must be bytes). */
  send(...commands: Wire[]): void {
    if (this.protocol === 'protobuf') this.sendProto(...commands);
    else this.sendJson(...commands);
  }

  /** Sends `connect` and waits for its reply (success or error). */
  async connect(request: Wire = {}, timeoutMs = 3000): Promise<Wire> {
    const id = this.nextId();
    this.send({ id, connect: request });
    return this.waitReply(id, timeoutMs);
  }

  /** Sends one command with a fresh id and waits for its reply. */
  async call(method: string, body: Wire, timeoutMs = 3000): Promise<Wire> {
    const id = this.nextId();
    this.send({ id, [method]: body });
    return this.waitReply(id, timeoutMs);
  }

  /** Sends a pong (empty command). */
  pong(): void {
    if (this.protocol === 'protobuf') this.sendBinary(Buffer.from([0]));
    else this.sendText('{}');
  }

  // ---- receiving ----

  /**
   * Resolves with the first message (at index ≥ `from`) matching `predicate`. Rejects on timeout or
   * when the connection closes before a match.
   */
  async waitMessage(predicate: (m: Wire, msg: RawMessage) => boolean, timeoutMs = 3000, what = 'message', from = 0): Promise<RawMessage> {
    return new Promise<RawMessage>((resolve, reject) => {
      let i = from;
      const check = (): boolean => {
        for (; i < this.messages.length; i++) {
          const m = this.messages[i]!;
          if (predicate(m.value, m)) {
            finish();
            resolve(m);
            return true;
          }
        }
        if (this.closeInfo !== undefined) {
          finish();
          reject(new Error(`connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for ${what}; got ${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.describe()}`));
      }, timeoutMs);
      const listener = (): void => {
        check();
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
      check();
    });
  }

  /** The reply to command `id`. */
  async waitReply(id: number, timeoutMs = 3000): Promise<Wire> {
    const m = await this.waitMessage((v) => v.id === id, timeoutMs, `reply ${id}`);
    return m.value;
  }

  /** The raw message (exact JSON text / hex) of the reply to `id`. */
  async waitReplyRaw(id: number, timeoutMs = 3000): Promise<RawMessage> {
    return this.waitMessage((v) => v.id === id, timeoutMs, `reply ${id}`);
  }

  /** A push matching `predicate` (on the Push object). */
  async waitPush(predicate: (push: Wire) => boolean, timeoutMs = 3000, what = 'push', from = 0): Promise<Wire> {
    const m = await this.waitMessage((v) => v.push !== undefined && predicate(v.push as Wire), timeoutMs, what, from);
    return m.value.push as Wire;
  }

  /** Resolves with the server ping (empty Reply) at index ≥ from. */
  async waitPing(timeoutMs = 3000, from = 0): Promise<RawMessage> {
    return this.waitMessage((v) => isPing(v), timeoutMs, 'server ping', from);
  }

  /** Resolves with the close code and reason; rejects on timeout. */
  async waitClose(timeoutMs = 3000): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.closed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`connection not closed within ${timeoutMs} ms; got ${this.describe()}`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until the native ping count reaches `n`. */
  async waitNativePings(n: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.nativePings < n) {
      if (this.closeInfo !== undefined) throw new Error(`closed (${this.closeInfo.code}) before ${n} native pings`);
      if (Date.now() > deadline) throw new Error(`only ${this.nativePings} native pings within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Short description of what was received (for failure messages). */
  describe(): string {
    const last = this.messages.slice(-6).map((m) => m.raw.slice(0, 200));
    return `${this.messages.length} messages [${last.join(' | ')}]${this.closeInfo ? ` closed ${this.closeInfo.code} ${this.closeInfo.reason}` : ''}`;
  }

  /** Closes from the client side (normal closure) and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.closeInfo !== undefined) return;
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    const t = setTimeout(() => this.ws.terminate(), 1000);
    await this.closed;
    clearTimeout(t);
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  #onFrame(data: Buffer, binary: boolean): void {
    const at = Date.now();
    const index = this.frames.length;
    this.frames.push({ data, binary, at });
    try {
      if (this.protocol === 'protobuf') {
        for (const m of splitProtoFrame(data)) {
          this.messages.push({ frame: index, value: decodeProtoReply(m), raw: Buffer.from(m).toString('hex'), at });
        }
      } else {
        let text = data.toString('utf8');
        if (text.endsWith('\n')) text = text.slice(0, -1);
        for (const line of text.split('\n')) {
          this.messages.push({ frame: index, value: JSON.parse(line) as Wire, raw: line, at });
        }
      }
    } catch (err) {
      this.decodeErrors.push(`${err instanceof Error ? err.message : String(err)}: ${data.toString('hex').slice(0, 200)}`);
    }
    this.#notify();
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}

/** An empty Reply: the server ping (Centrifugo's ping/pong rules). */
export function isPing(v: Wire): boolean {
  return Object.keys(v).length === 0;
}

/** Command replies only (no pushes, no pings). */
export function replies(c: RawClient): Wire[] {
  return c.messages.map((m) => m.value).filter((v) => typeof v.id === 'number' && v.id > 0);
}

/** Ids of the command replies received so far, in order. */
export function replyIds(c: RawClient): number[] {
  return replies(c).map((v) => v.id as number);
}

/** Text of a `bytes` field (JSON: re-serialised raw JSON; Protobuf: UTF-8 of the bytes). */
export function bytesText(v: unknown): string {
  if (v === undefined) return '';
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return JSON.stringify(v);
}

function buildUrl(base: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return base;
  const u = new URL(base);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

function wsOptions(options: RawConnectOptions): ClientOptions {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const o: ClientOptions = {
    headers,
    perMessageDeflate: false,
    maxPayload: options.maxPayload ?? 100 * 1024 * 1024,
    autoPong: options.autoPong ?? true,
    handshakeTimeout: options.timeoutMs ?? 3000,
  };
  if (options.origin !== undefined) o.origin = options.origin;
  return o;
}

/** Opens raw clients and closes them all at the end of a test file. */
export class RawClientPool {
  readonly #clients: RawClient[] = [];

  async open(url: string, options: RawConnectOptions = {}): Promise<RawClient> {
    const c = await RawClient.open(url, options);
    this.#clients.push(c);
    return c;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((c) => c.close()));
  }
}

// ---------------------------------------------------------------------------------------------
// Expected disconnects (Rotor's disconnect-code decision, see README 'Disconnect codes'), written
// here from the documents rather than imported from src/core/disconnect.ts.

export type CodesMode = 'classic' | 'ranged';

interface ExpectedDisconnect {
  readonly code: number;
  readonly reason: string;
  readonly reconnect: boolean;
}

const d = (code: number, reason: string, reconnect: boolean): ExpectedDisconnect => ({ code, reason, reconnect });

const DISCONNECTS = {
  classic: {
    shutdown: d(3001, 'shutdown', true),
    invalidToken: d(3002, 'invalid token', false),
    badRequest: d(3003, 'bad request', false),
    expired: d(3005, 'expired', true),
    stale: d(3007, 'stale', false),
    slow: d(3008, 'slow', true),
    forceDisconnect: d(3012, 'force disconnect', false),
    connectionLimit: d(3013, 'connection limit', false),
    noPong: d(3015, 'no pong', true),
    inappropriateProtocol: d(3506, 'inappropriate protocol', false),
    notAvailable: d(3508, 'not available', false),
  },
  ranged: {
    shutdown: d(3001, 'shutdown', true),
    invalidToken: d(3500, 'invalid token', false),
    badRequest: d(3501, 'bad request', false),
    expired: d(3005, 'connection expired', true),
    stale: d(3502, 'stale', false),
    slow: d(3008, 'slow', true),
    forceDisconnect: d(3503, 'force disconnect', false),
    connectionLimit: d(3504, 'connection limit', false),
    noPong: d(3012, 'no pong', true),
    inappropriateProtocol: d(3506, 'inappropriate protocol', false),
    notAvailable: d(3508, 'not available', false),
  },
} as const satisfies Record<CodesMode, Record<string, ExpectedDisconnect>>;

export type DisconnectName = keyof (typeof DISCONNECTS)['classic'];

/** The close-frame reason text: classic → `{"reason":…,"reconnect":…}`, ranged → plain text. */
function expectedCloseReason(e: ExpectedDisconnect, mode: CodesMode): string {
  return mode === 'classic' ? JSON.stringify({ reason: e.reason, reconnect: e.reconnect }) : e.reason;
}

/** The expected close `{code, reason}` for a named disconnect in a mode. */
export function expectedClose(name: DisconnectName, mode: CodesMode = 'classic'): CloseInfo {
  const e = DISCONNECTS[mode][name];
  return { code: e.code, reason: expectedCloseReason(e, mode) };
}
