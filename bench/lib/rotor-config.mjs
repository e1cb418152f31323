/**
 * @module bench/lib/rotor-config — the Rotor configuration every bench server starts from (memory
 * engine, anonymous connect, subscribe and publish allowed, a large client queue), and the HMAC
 * secret its connect tokens are signed with. Scenarios spread it and add their own keys.
 */
export const SECRET = 'bench-secret';

export const ROTOR_CONFIG = Object.freeze({
  address: '127.0.0.1',
  port: 0,
  api_key: 'bench',
  token_hmac_secret_key: SECRET,
  allow_anonymous_connect_without_token: true,
  allow_subscribe_for_client: true,
  allow_subscribe_for_anonymous: true,
  allow_publish_for_client: true,
  allow_publish_for_anonymous: true,
  log_level: 'info',
  client_queue_max_size: 10_485_760,
  // Only an allowance: subscribers send a tags filter in the `tags` scenario alone.
  allow_tags_filter: true,
});
