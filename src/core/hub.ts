/** @module core/hub — this node's registry of connections and channel subscribers, and local fan-out. */
import type { Client } from './client/client.js';
import { PreparedPublication } from './prepared.js';
import { TagsFilterPool } from './tags-filter.js';
import type { ClientInfo, Publication, StreamPosition } from './types.js';

export class Hub {
  readonly #clients = new Map<string, Client>();
  /** A user's connections: the client itself while it is the only one (most users), else a Set. */
  readonly #users = new Map<string, Client | Set<Client>>();
  readonly #sessions = new Map<string, Client>();
  /**
   * A channel's local subscribers: the client itself while it is the only one (personal channels,
   * the common case by count), else a Map by client id. Saves a Map per single-subscriber channel.
   */
  readonly #channels = new Map<string, Client | Map<string, Client>>();
  #numSubs = 0;
  /** Compiled tags filters in use, shared by identical filters (one evaluation per publication each). */
  readonly filters = new TagsFilterPool();

  // ---- connections ----

  add(client: Client): void {
    this.#clients.set(client.id, client);
    const entry = this.#users.get(client.userId);
    if (entry === undefined) this.#users.set(client.userId, client);
    else if (entry instanceof Set) entry.add(client);
    else if (entry !== client) this.#users.set(client.userId, new Set([entry, client]));
    if (client.sessionId) this.#sessions.set(client.sessionId, client);
  }

  remove(client: Client): void {
    if (this.#clients.get(client.id) !== client) return;
    this.#clients.delete(client.id);
    const entry = this.#users.get(client.userId);
    if (entry === client) this.#users.delete(client.userId);
    else if (entry instanceof Set) {
      entry.delete(client);
      if (entry.size === 1) this.#users.set(client.userId, entry.values().next().value as Client);
    }
    if (client.sessionId && this.#sessions.get(client.sessionId) === client) this.#sessions.delete(client.sessionId);
  }

  client(id: string): Client | undefined {
    return this.#clients.get(id);
  }

  bySession(sessionId: string): Client | undefined {
    return this.#sessions.get(sessionId);
  }

  /** Connections of a user, optionally narrowed to one client id and/or session. */
  userClients(userId: string, clientId?: string, sessionId?: string): Client[] {
    const entry = this.#users.get(userId);
    if (entry === undefined) return [];
    const out: Client[] = [];
    for (const c of entry instanceof Set ? entry : [entry]) {
      if (clientId && c.id !== clientId) continue;
      if (sessionId && c.sessionId !== sessionId) continue;
      out.push(c);
    }
    return out;
  }

  userConnectionCount(userId: string): number {
    const entry = this.#users.get(userId);
    return entry === undefined ? 0 : entry instanceof Set ? entry.size : 1;
  }

  allClients(): IterableIterator<Client> {
    return this.#clients.values();
  }

  get numClients(): number {
    return this.#clients.size;
  }

  get numUsers(): number {
    return this.#users.size;
  }

  get numChannels(): number {
    return this.#channels.size;
  }

  get numSubs(): number {
    return this.#numSubs;
  }

  // ---- subscriptions ----

  /** Adds a subscriber; returns true when it is the channel's first local subscriber. */
  addSub(channel: string, client: Client): boolean {
    const subs = this.#channels.get(channel);
    if (subs === undefined) {
      this.#channels.set(channel, client);
      this.#numSubs++;
      return true;
    }
    if (subs instanceof Map) {
      if (!subs.has(client.id)) {
        subs.set(client.id, client);
        this.#numSubs++;
      }
    } else if (subs.id !== client.id) {
      this.#channels.set(
        channel,
        new Map([
          [subs.id, subs],
          [client.id, client],
        ]),
      );
      this.#numSubs++;
    }
    return false;
  }

  /** Removes a subscriber; returns true when the channel has no local subscribers left. */
  removeSub(channel: string, client: Client): boolean {
    const subs = this.#channels.get(channel);
    if (subs === undefined) return false;
    if (!(subs instanceof Map)) {
      if (subs !== client) return false;
      this.#channels.delete(channel);
      this.#numSubs--;
      return true;
    }
    if (subs.get(client.id) === client) {
      subs.delete(client.id);
      this.#numSubs--;
    }
    if (subs.size === 0) {
      this.#channels.delete(channel);
      return true;
    }
    return false;
  }

  hasSubscribers(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /** Local channels with their subscriber counts. */
  channels(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [ch, subs] of this.#channels) out.set(ch, subs instanceof Map ? subs.size : 1);
    return out;
  }

  // ---- fan-out ----

  /**
   * Delivers a publication to every local subscriber of the channel. The publication is wrapped
   * once and encoded lazily once per (protocol, framing); each client only enqueues bytes.
   */
  broadcastPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): number {
    const subs = this.#channels.get(channel);
    if (subs === undefined) return 0;
    const prepared = new PreparedPublication(channel, publication, position, prev);
    if (!(subs instanceof Map)) {
      subs.deliverPublication(prepared);
      return 1;
    }
    for (const client of subs.values()) client.deliverPublication(prepared);
    return subs.size;
  }

  broadcastJoin(channel: string, info: ClientInfo): void {
    const subs = this.#channels.get(channel);
    if (subs === undefined) return;
    if (!(subs instanceof Map)) subs.deliverJoinLeave(channel, info, true);
    else for (const client of subs.values()) client.deliverJoinLeave(channel, info, true);
  }

  broadcastLeave(channel: string, info: ClientInfo): void {
    const subs = this.#channels.get(channel);
    if (subs === undefined) return;
    if (!(subs instanceof Map)) subs.deliverJoinLeave(channel, info, false);
    else for (const client of subs.values()) client.deliverJoinLeave(channel, info, false);
  }
}
