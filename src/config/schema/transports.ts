/** @module config/schema/transports — WebSocket, SSE, HTTP-stream, unidirectional and SockJS keys (Centrifugo's transport, proxy and consumer keys). */
import { bool, duration, int, list, object, port, str } from './types.js';

const HTTP_RESPONSE_TRANSFORM = {
  code: int(0, 'connect error code to transform'),
  to: object(
    {
      status_code: int(0, 'HTTP status code'),
      body: str('', 'HTTP response body'),
    },
    'HTTP response to send instead',
  ),
} as const;

function connectCodeToHttpResponse(doc: string) {
  return object(
    {
      enabled: bool(false, 'enable the transforms'),
      transforms: list(HTTP_RESPONSE_TRANSFORM, 'list of {code, to: {status_code, body}}'),
    },
    doc,
  );
}

export const TRANSPORTS = {
  websocket_compression: bool(false, 'permessage-deflate'),
  websocket_compression_min_size: int(0, 'min message size to compress', { min: 0 }),
  websocket_compression_level: int(1, 'compression level', { min: -2, max: 9 }),
  websocket_read_buffer_size: int(0, 'read buffer size', { min: 0 }),
  websocket_write_buffer_size: int(0, 'write buffer size', { min: 0 }),
  websocket_use_write_buffer_pool: bool(false, 'write buffer pool'),
  websocket_write_timeout: duration('1s', 'write timeout'),
  websocket_message_size_limit: int(65536, 'max incoming message size in bytes', { min: 0 }),
  uni_websocket: bool(false, 'unidirectional WebSocket endpoint'),
  uni_websocket_compression: bool(false, 'permessage-deflate (uni)'),
  uni_websocket_compression_min_size: int(0, 'min message size to compress (uni)', { min: 0 }),
  uni_websocket_compression_level: int(1, 'compression level (uni)', { min: -2, max: 9 }),
  uni_websocket_read_buffer_size: int(0, 'read buffer size (uni)', { min: 0 }),
  uni_websocket_write_buffer_size: int(0, 'write buffer size (uni)', { min: 0 }),
  uni_websocket_use_write_buffer_pool: bool(false, 'write buffer pool (uni)'),
  uni_websocket_write_timeout: duration('1s', 'write timeout (uni)'),
  uni_websocket_message_size_limit: int(65536, 'max incoming message size (uni)', { min: 0 }),
  sse: bool(false, 'bidirectional SSE (with emulation) endpoint'),
  http_stream: bool(false, 'bidirectional HTTP-streaming (with emulation) endpoint'),
  sse_max_request_body_size: int(65536, 'max SSE connect request body', { min: 0 }),
  http_stream_max_request_body_size: int(65536, 'max HTTP-stream connect request body', { min: 0 }),
  emulation_max_request_body_size: int(65536, 'max emulation request body', { min: 0 }),
  uni_sse: bool(false, 'unidirectional SSE endpoint'),
  uni_http_stream: bool(false, 'unidirectional HTTP-stream endpoint'),
  uni_sse_max_request_body_size: int(65536, 'max uni SSE connect request body', { min: 0 }),
  uni_http_stream_max_request_body_size: int(65536, 'max uni HTTP-stream connect request body', { min: 0 }),
  uni_sse_connect_code_to_http_response: connectCodeToHttpResponse('map connect error codes to HTTP responses (uni SSE)'),
  uni_http_stream_connect_code_to_http_response: connectCodeToHttpResponse(
    'map connect error codes to HTTP responses (uni HTTP-stream)',
  ),
  uni_grpc: bool(false, 'unidirectional GRPC stream server'),
  uni_grpc_address: str('', 'uni GRPC bind interface'),
  uni_grpc_port: port(11000, 'uni GRPC port'),
  uni_grpc_max_receive_message_size: int(65536, 'uni GRPC max receive size', { min: 0 }),
  uni_grpc_tls_disable: bool(false, 'do not inherit HTTP TLS for uni GRPC'),
  uni_grpc_tls: bool(false, 'dedicated TLS for uni GRPC'),
  uni_grpc_tls_cert: str('', 'uni GRPC TLS certificate path'),
  uni_grpc_tls_key: str('', 'uni GRPC TLS key path'),
  uni_grpc_tls_cert_pem: str('', 'uni GRPC TLS certificate PEM'),
  uni_grpc_tls_key_pem: str('', 'uni GRPC TLS key PEM'),
  uni_grpc_tls_root_ca: str('', 'uni GRPC TLS root CA path'),
  uni_grpc_tls_root_ca_pem: str('', 'uni GRPC TLS root CA PEM'),
  uni_grpc_tls_client_ca: str('', 'uni GRPC TLS client CA path'),
  uni_grpc_tls_client_ca_pem: str('', 'uni GRPC TLS client CA PEM'),
  uni_grpc_tls_server_name: str('', 'uni GRPC TLS server name'),
  uni_grpc_tls_insecure_skip_verify: bool(false, 'uni GRPC TLS skip verify'),
  sockjs: bool(false, 'SockJS endpoint (deprecated; accepted, not implemented)'),
  sockjs_url: str('https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js', 'SockJS client URL for iframes'),
} as const;
