/**
 * @module admin/client-handler — lets the admin UI's own client connection watch any channel.
 *
 * The admin UI tails channels live as a centrifuge-js client. It never opens channels to anyone
 * else: a logged-in admin asks `POST <admin prefix>/admin/connection_token` (admin token required)
 * for a short-lived connection token (`rotor-admin.…`, HMAC keyed by `admin_secret`, 15 minutes,
 * refreshed by the SDK's `getToken`). A connection authenticated by such a token is an *admin
 * observer*: anonymous (user `""`), no server-side subscriptions, and every subscribe it sends is
 * granted as a read-only tail (no presence entry, no join/leave, no positioning, no recovery) —
 * including private channels. Every other request, and every connection with any other token, is
 * decided by the wrapped policy unchanged.
 */
import { Disconnects, DisconnectError } from '../core/disconnect.js';
import type {
  ClientHandler,
  ClientView,
  ConnectDecision,
  ConnectionContext,
  HistoryDecision,
  PublishDecision,
  RefreshDecision,
  ServerRefreshDecision,
  SubRefreshDecision,
  SubscribeOptions,
} from '../core/handler.js';
import { SubscriptionSource } from '../core/handler.js';
import type { ChannelOptions } from '../core/channel-options.js';
import type { ConnectRequest, SubscribeRequest } from '../protocol/types.js';
import { type AdminTokens, CONNECTION_TOKEN_PREFIX } from './token.js';

export class AdminClientHandler implements ClientHandler {
  readonly #inner: ClientHandler;
  readonly #tokens: AdminTokens;
  readonly #nowSec: () => number;
  /** Admin observer connections by client id → unix seconds their token expires. */
  readonly #observers = new Map<string, number>();

  /** Server-side refresh, present exactly when the wrapped handler has it (the core checks presence). */
  readonly refreshConnection?: (client: ClientView) => Promise<ServerRefreshDecision>;
  readonly refreshSubscription?: (client: ClientView, channel: string) => Promise<ServerRefreshDecision>;

  constructor(inner: ClientHandler, tokens: AdminTokens, nowSec: () => number) {
    this.#inner = inner;
    this.#tokens = tokens;
    this.#nowSec = nowSec;
    if (inner.refreshConnection !== undefined) this.refreshConnection = inner.refreshConnection.bind(inner);
    if (inner.refreshSubscription !== undefined) this.refreshSubscription = inner.refreshSubscription.bind(inner);
  }

  /** Number of admin observer connections currently known (tests, diagnostics). */
  get observers(): number {
    return this.#observers.size;
  }

  /** The expiry of an admin connection token; throws InvalidToken for a forged or expired one. */
  #verify(token: string): number {
    const now = this.#nowSec();
    const issued = this.#tokens.verify('connection', token, now);
    if (issued === undefined) throw new DisconnectError(Disconnects.InvalidToken);
    // Forget observers whose token ran out (their connections were closed as expired).
    for (const [id, exp] of this.#observers) if (exp <= now) this.#observers.delete(id);
    return this.#tokens.expiresAt('connection', issued);
  }

  async connect(ctx: ConnectionContext, request: ConnectRequest): Promise<ConnectDecision> {
    const token = request.token ?? '';
    if (!token.startsWith(CONNECTION_TOKEN_PREFIX)) return this.#inner.connect(ctx, request);
    const expireAtSec = this.#verify(token);
    this.#observers.set(ctx.clientId, expireAtSec);
    return { credentials: { userId: '', expireAtSec }, subscriptions: new Map(), clientSideRefresh: true };
  }

  async refresh(client: ClientView, token: string): Promise<RefreshDecision> {
    if (!this.#observers.has(client.id)) return this.#inner.refresh(client, token);
    if (!token.startsWith(CONNECTION_TOKEN_PREFIX)) throw new DisconnectError(Disconnects.InvalidToken);
    const expireAtSec = this.#verify(token);
    this.#observers.set(client.id, expireAtSec);
    return { expireAtSec };
  }

  async subscribe(client: ClientView, request: SubscribeRequest): Promise<SubscribeOptions> {
    const exp = this.#observers.get(client.id);
    if (exp === undefined || exp <= this.#nowSec()) return this.#inner.subscribe(client, request);
    const channelOptions: ChannelOptions = this.#inner.serverSubscribe('', request.channel ?? '');
    return {
      channelOptions,
      emitPresence: false,
      emitJoinLeave: false,
      pushJoinLeave: false,
      enablePositioning: false,
      enableRecovery: false,
      expireAtSec: 0,
      source: SubscriptionSource.Unknown,
    };
  }

  publish(client: ClientView, channel: string, data: Uint8Array): Promise<PublishDecision> {
    return this.#inner.publish(client, channel, data);
  }
  presence(client: ClientView, channel: string): Promise<ChannelOptions> {
    return this.#inner.presence(client, channel);
  }
  history(client: ClientView, channel: string): Promise<HistoryDecision> {
    return this.#inner.history(client, channel);
  }
  rpc(client: ClientView, method: string, data: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    return this.#inner.rpc(client, method, data);
  }
  subRefresh(client: ClientView, channel: string, token: string): Promise<SubRefreshDecision> {
    return this.#inner.subRefresh(client, channel, token);
  }
  serverSubscribe(userId: string, channel: string): ChannelOptions {
    return this.#inner.serverSubscribe(userId, channel);
  }
}
