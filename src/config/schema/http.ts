/** @module config/schema/http — HTTP server, TLS and endpoint path keys (Centrifugo's HTTP server, TLS and endpoint keys). */
import { bool, port, str } from './types.js';

export const HTTP = {
  address: str('', 'bind interface of the external HTTP server'),
  port: port(8000, 'external HTTP port (0 = random free port)'),
  internal_address: str('', 'interface of internal endpoints; empty = `address`'),
  internal_port: port(0, 'port of internal endpoints; 0 = same as `port`'),
  tls: bool(false, 'enable TLS with `tls_cert`/`tls_key` (paths) or `tls_cert_pem`/`tls_key_pem`'),
  tls_cert: str('', 'path to the TLS certificate'),
  tls_key: str('', 'path to the TLS private key'),
  tls_cert_pem: str('', 'inline PEM certificate'),
  tls_key_pem: str('', 'inline PEM private key'),
  tls_root_ca: str('', 'path to root CA'),
  tls_root_ca_pem: str('', 'inline root CA PEM'),
  tls_client_ca: str('', 'path to client CA (enables mTLS)'),
  tls_client_ca_pem: str('', 'inline client CA PEM (enables mTLS)'),
  tls_server_name: str('', 'TLS server name'),
  tls_insecure_skip_verify: bool(false, 'skip TLS verification'),
  tls_external: bool(false, 'TLS only on the external listener'),
  tls_http2_disable: bool(false, 'serve only HTTP/1.1 on TLS listeners (no HTTP/2 via ALPN; Rotor addition)'),
  tls_autocert: bool(false, 'ACME (Let’s Encrypt) certificates, obtained on demand (needs `tls_autocert_http`)'),
  tls_autocert_host_whitelist: str('', 'comma-separated ACME hosts'),
  tls_autocert_cache_dir: str('', 'ACME cache directory'),
  tls_autocert_email: str('', 'ACME account email'),
  tls_autocert_server_name: str('', 'server name used when ClientHello has no SNI'),
  tls_autocert_http: bool(false, 'serve the ACME http-01 challenge'),
  tls_autocert_http_addr: str(':80', 'address of the http-01 challenge server'),
  tls_autocert_directory_url: str('https://acme-v02.api.letsencrypt.org/directory', 'ACME directory URL (Rotor addition)'),
  tls_autocert_directory_ca: str('', 'PEM file of extra CAs trusted for the ACME server’s HTTPS (Rotor addition)'),
  http3: bool(false, 'experimental HTTP/3 (accepted, not implemented)'),
  webtransport: bool(false, 'experimental WebTransport (accepted, not implemented)'),
  websocket_disable: bool(false, 'drop the WebSocket endpoint'),
  api_disable: bool(false, 'drop the HTTP API endpoint'),
  api_external: bool(false, 'serve the HTTP API on the external listener'),
  admin_external: bool(false, 'serve the admin UI on the external listener'),
  websocket_handler_prefix: str('/connection/websocket', 'WebSocket endpoint path'),
  webtransport_handler_prefix: str('/connection/webtransport', 'WebTransport endpoint path'),
  sockjs_handler_prefix: str('/connection/sockjs', 'SockJS endpoint path'),
  http_stream_handler_prefix: str('/connection/http_stream', 'HTTP-streaming endpoint path'),
  sse_handler_prefix: str('/connection/sse', 'SSE endpoint path'),
  uni_websocket_handler_prefix: str('/connection/uni_websocket', 'unidirectional WebSocket path'),
  uni_sse_handler_prefix: str('/connection/uni_sse', 'unidirectional SSE path'),
  uni_http_stream_handler_prefix: str('/connection/uni_http_stream', 'unidirectional HTTP-stream path'),
  emulation_handler_prefix: str('/emulation', 'bidirectional emulation endpoint path'),
  api_handler_prefix: str('/api', 'HTTP API path (legacy endpoint + `/<method>` routes)'),
  admin_handler_prefix: str('', 'admin UI path prefix; empty = `/`'),
  prometheus_handler_prefix: str('/metrics', 'Prometheus metrics path'),
  health_handler_prefix: str('/health', 'health check path'),
  swagger_handler_prefix: str('/swagger', 'Swagger UI path'),
} as const;

/** Keys holding URL path prefixes: trailing `/` trimmed, empty result becomes `/` (Centrifugo's default endpoint paths). */
export type HandlerPrefixKey = Extract<keyof typeof HTTP, `${string}_handler_prefix`>;

/** Keys normalised as paths (see above). */
export const HANDLER_PREFIX_KEYS = Object.keys(HTTP).filter((k): k is HandlerPrefixKey => k.endsWith('_handler_prefix'));
