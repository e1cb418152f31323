/**
 * @module core/control — node-to-node control messages and their codec.
 *
 * Rotor's own format, not Centrifugo's protobuf `controlpb`: a JSON object encoded as UTF-8, binary fields in
 * base64. Control traffic is low-rate (heartbeats every 3 s, admin actions), so readability wins.
 */
import type { NodeInfo } from './node.js';

/** Node heartbeat: identity and load. */
export interface NodeInfoMessage extends NodeInfo {
  readonly t: 'node';
}

/** Aggregated node metrics as `info` shows them: `interval` seconds, flattened Prometheus items. */
export interface NodeInfoMetrics {
  readonly interval: number;
  readonly items: Readonly<Record<string, number>>;
}

interface ShutdownMessage {
  readonly t: 'shutdown';
}

interface DisconnectMessage {
  readonly t: 'disconnect';
  readonly user: string;
  readonly client?: string;
  readonly session?: string;
  readonly whitelist?: string[];
  readonly code?: number;
  readonly reason?: string;
  /** Explicit reconnect flag (catalogue disconnects); absent = by code range. */
  readonly reconnect?: boolean;
}

interface UnsubscribeMessage {
  readonly t: 'unsubscribe';
  readonly user: string;
  readonly channel: string;
  readonly client?: string;
  readonly session?: string;
}

interface SubscribeMessage {
  readonly t: 'subscribe';
  readonly user: string;
  readonly channel: string;
  readonly client?: string;
  readonly session?: string;
  readonly expireAtSec?: number;
  readonly chanInfo?: string;
  readonly data?: string;
  readonly recoverSince?: { offset: number; epoch: string };
  readonly override?: Record<string, boolean>;
}

interface RefreshMessage {
  readonly t: 'refresh';
  readonly user: string;
  readonly client?: string;
  readonly session?: string;
  readonly expired?: boolean;
  readonly expireAtSec?: number;
  readonly info?: string;
}

interface SurveyRequestMessage {
  readonly t: 'survey_req';
  readonly id: number;
  readonly op: string;
  readonly data: string;
}

interface SurveyResponseMessage {
  readonly t: 'survey_resp';
  readonly id: number;
  /** 0 ok, 1 internal error, 2 invalid request, 3 unknown op. */
  readonly code: number;
  readonly data: string;
}

export type ControlBody =
  | NodeInfoMessage
  | ShutdownMessage
  | DisconnectMessage
  | UnsubscribeMessage
  | SubscribeMessage
  | RefreshMessage
  | SurveyRequestMessage
  | SurveyResponseMessage;

/** A control message with its sender. */
export type ControlMessage = ControlBody & { readonly from: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeControl(from: string, body: ControlBody): Uint8Array {
  return encoder.encode(JSON.stringify({ ...body, from }));
}

/** Decodes a control message; returns undefined for malformed input (logged by the caller). */
export function decodeControl(data: Uint8Array): ControlMessage | undefined {
  try {
    const v: unknown = JSON.parse(decoder.decode(data));
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as { t?: unknown; from?: unknown };
    if (typeof o.t !== 'string' || typeof o.from !== 'string') return undefined;
    return v as ControlMessage;
  } catch {
    return undefined;
  }
}

export function toB64(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function fromB64(s: string | undefined): Uint8Array | undefined {
  return s === undefined ? undefined : new Uint8Array(Buffer.from(s, 'base64'));
}
