/**
 * @module admin/ui/tail — the UI's own centrifuge-js connection for live tails.
 *
 * It connects to `admin/connection/websocket` on the UI's origin with a short-lived token from
 * `admin/connection_token` (refreshed through `getToken`); the server lets only such admin
 * observer connections subscribe to any channel (read-only, invisible in presence).
 */
import { Centrifuge, type PublicationContext, type Subscription } from 'centrifuge';
import { connectionToken, observerWebSocketUrl } from './api.js';

let client: Centrifuge | undefined;

function observer(): Centrifuge {
  if (client === undefined) {
    client = new Centrifuge(observerWebSocketUrl(), { getToken: () => connectionToken() });
    client.connect();
  }
  return client;
}

export interface TailPublication {
  readonly at: Date;
  readonly offset?: number | undefined;
  readonly data: unknown;
  readonly user?: string | undefined;
}

/** Subscribes to `channel`; returns a function that ends the tail. */
export function tail(channel: string, on: { publication: (p: TailPublication) => void; state: (s: string) => void }): () => void {
  const c = observer();
  const existing = c.getSubscription(channel);
  if (existing !== null) c.removeSubscription(existing);
  const sub: Subscription = c.newSubscription(channel);
  sub.on('subscribing', () => on.state('subscribing'));
  sub.on('subscribed', () => on.state('subscribed'));
  sub.on('unsubscribed', (ctx) => on.state(`unsubscribed: ${ctx.reason}`));
  sub.on('error', (ctx) => on.state(`error: ${ctx.error.message}`));
  sub.on('publication', (ctx: PublicationContext) => on.publication({ at: new Date(), offset: ctx.offset, data: ctx.data, user: ctx.info?.user }));
  sub.subscribe();
  return () => c.removeSubscription(sub);
}

/** Closes the observer connection (logout). */
export function closeTail(): void {
  client?.disconnect();
  client = undefined;
}
