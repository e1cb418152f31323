/** @module config/schema/nats — Centrifugo's NATS broker keys. */
import { tlsObject } from './tls-object.js';
import { bool, duration, map, object, str } from './types.js';

export const NATS = {
  nats_url: str('nats://127.0.0.1:4222', 'NATS server URL, `nats://user:pass@host:4222`'),
  nats_prefix: str('centrifugo', 'subject prefix'),
  nats_dial_timeout: duration('1s', 'dial timeout'),
  nats_write_timeout: duration('1s', 'flush timeout'),
  nats_allow_wildcards: bool(false, 'allow `*` and `>` in subscribe channels'),
  nats_raw_mode: object(
    {
      enabled: bool(false, 'raw subjects and raw payloads'),
      prefix: str('', 'subject prefix in raw mode (`nats_prefix` ignored)'),
      channel_replacements: map('character replacements channel → subject, e.g. {":": "."}'),
    },
    'NATS raw mode',
  ),
  nats_tls: tlsObject('TLS to NATS'),
} as const;
