/** @module config/schema/client — client connection, token and personal channel keys (Centrifugo's client connection keys). */
import { bool, duration, int, list, object, str, strings } from './types.js';

const TOKEN = {
  token_hmac_secret_key: str('', 'HMAC secret: enables HS256/384/512 connection tokens'),
  token_hmac_previous_secret_key: str('', 'previous HMAC secret (key rotation): tokens signed with it still verify'),
  token_hmac_previous_secret_key_valid_until: int(0, 'unix seconds after which the previous HMAC secret is rejected; 0 = no limit', { min: 0 }),
  token_rsa_public_key: str('', 'RSA public key (PEM): enables RS256/384/512'),
  token_ecdsa_public_key: str('', 'ECDSA public key (PEM): enables ES256/384/512'),
  token_jwks_public_endpoint: str('', 'JWKS endpoint URL; may contain `{{var}}` filled from aud/iss regex groups'),
  token_audience: str('', 'expected `aud` claim (exact)'),
  token_audience_regex: str('', 'expected `aud` claim (regex); not together with `token_audience`'),
  token_issuer: str('', 'expected `iss` claim (exact)'),
  token_issuer_regex: str('', 'expected `iss` claim (regex); not together with `token_issuer`'),
  token_user_id_claim: str('', 'claim holding the user id; empty = `sub`; must match ^[a-zA-Z_]+$'),
  separate_subscription_token_config: bool(false, 'subscription tokens use only the `subscription_token_*` keys'),
  subscription_token_hmac_secret_key: str('', 'subscription token HMAC secret'),
  subscription_token_hmac_previous_secret_key: str('', 'previous subscription token HMAC secret (key rotation)'),
  subscription_token_hmac_previous_secret_key_valid_until: int(0, 'unix seconds after which the previous subscription HMAC secret is rejected; 0 = no limit', { min: 0 }),
  subscription_token_rsa_public_key: str('', 'subscription token RSA public key (PEM)'),
  subscription_token_ecdsa_public_key: str('', 'subscription token ECDSA public key (PEM)'),
  subscription_token_jwks_public_endpoint: str('', 'subscription token JWKS endpoint'),
  subscription_token_audience: str('', 'expected subscription token `aud` (exact)'),
  subscription_token_audience_regex: str('', 'expected subscription token `aud` (regex)'),
  subscription_token_issuer: str('', 'expected subscription token `iss` (exact)'),
  subscription_token_issuer_regex: str('', 'expected subscription token `iss` (regex)'),
  subscription_token_user_id_claim: str('', 'subscription token user id claim; must match ^[a-zA-Z_]+$'),
  token_insecure_skip_jwks_endpoint_safety_check: bool(
    false,
    'start even if a `{{var}}` JWKS endpoint template is filled from unsafe issuer/audience regex groups (a warning is logged)',
  ),
  subscription_token_insecure_skip_jwks_endpoint_safety_check: bool(false, 'same for the subscription token JWKS endpoint'),
  jwks_refetch_min_interval: duration('1s', 'minimum time between two fetches of one JWKS URL caused by unknown `kid`s or endpoint failures'),
  jwks_cache_ttl: duration('10m', 'how long fetched JWKS keys are used before they are refreshed (the cached set stays in service when the refresh fails)'),
  jwks_fetch_timeout: duration('5s', 'HTTP timeout of one JWKS fetch'),
} as const;

const CONNECT_CODE_TRANSFORM = {
  code: int(0, 'connect error code to transform'),
  to: object(
    {
      code: int(0, 'disconnect code'),
      reason: str('', 'disconnect reason'),
    },
    'disconnect to send instead',
  ),
} as const;

export const CLIENT = {
  ...TOKEN,
  allowed_origins: strings([], 'Origin glob patterns allowed for browser transports; empty = only requests without Origin; ["*"] = all'),
  client_insecure: bool(false, 'no authentication, all channel permissions open (development only)'),
  client_insecure_skip_token_signature_verify: bool(false, 'parse JWTs without checking the signature (development only)'),
  allow_anonymous_connect_without_token: bool(false, 'connections without a token become anonymous (user "")'),
  disallow_anonymous_connection_tokens: bool(false, 'reject valid tokens with an empty user'),
  client_user_id_http_header: str('', 'take the user id from this request header'),
  client_expired_close_delay: duration('25s', 'grace period after connection expiry'),
  client_expired_sub_close_delay: duration('25s', 'grace period after subscription expiry'),
  client_stale_close_delay: duration('10s', 'time allowed to send the connect command (then disconnect "stale")'),
  client_channel_limit: int(128, 'max subscriptions per connection', { min: 0 }),
  client_queue_max_size: int(1048576, 'per-connection outbound queue in bytes; overflow → disconnect "slow"', { min: 0 }),
  client_presence_update_interval: duration('27s', 'presence refresh period'),
  client_user_connection_limit: int(0, 'per-node connections per user; 0 = unlimited', { min: 0 }),
  client_concurrency: int(0, 'parallel command processing per connection; 0 = sequential', { min: 0 }),
  client_channel_position_check_delay: duration('40s', 'how often positioned subscriptions are verified'),
  client_channel_position_max_time_lag: duration('0', 'optional lag threshold for positioning'),
  client_connection_limit: int(0, 'per-node max connections; 0 = unlimited (HTTP 503 when reached)', { min: 0 }),
  client_connection_rate_limit: int(0, 'per-node new connections per second; 0 = unlimited', { min: 0 }),
  client_connect_include_server_time: bool(false, 'include `time` (unix ms) in the connect reply'),
  client_history_max_publication_limit: int(300, 'cap for client history calls', { min: 0 }),
  client_recovery_max_publication_limit: int(300, 'cap for recovery', { min: 0 }),
  ping_interval: duration('25s', 'server→client ping period; 0 = default 25s; negative = disabled (-1)', {
    negativeDisables: true,
  }),
  pong_timeout: duration('8s', 'pong wait; 0 = default 8s; negative = disabled (-1); must be < ping_interval', {
    negativeDisables: true,
  }),
  rpc_ping: bool(false, 'built-in client RPC method returning an empty result'),
  rpc_ping_method: str('ping', 'name of the built-in ping RPC method'),
  user_subscribe_to_personal: bool(false, 'server-side subscribe every user to its personal channel `[ns:]#<user>`'),
  user_personal_channel_namespace: str('', 'namespace of the personal channel (must exist)'),
  user_personal_single_connection: bool(false, 'keep one connection per user (needs presence on the personal namespace)'),
  client_connect_code_to_unidirectional_disconnect: object(
    {
      enabled: bool(false, 'enable the transforms'),
      transforms: list(CONNECT_CODE_TRANSFORM, 'list of {code, to: {code, reason}}'),
    },
    'map connect error codes to disconnects for unidirectional transports',
  ),
} as const;
