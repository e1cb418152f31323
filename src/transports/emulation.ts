/**
 * @module transports/emulation — `POST /emulation` (Centrifugo's emulation endpoint): commands of an http_stream / sse
 * session, delivered to the node that owns the session. Another node is reached through a
 * targeted survey (`centrifuge_emulation`); its answer becomes the HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Node, SurveyCodes } from '../core/node.js';
import type { ProtocolType } from '../protocol/codec.js';
import { codecFor } from '../protocol/index.js';
import type { EmulationRequest } from '../protocol/types.js';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { answerStatus, answerTooLarge, readBody, TOO_LARGE } from './http-request.js';
import { protocolOf } from './http-stream.js';

/** Survey op carrying emulation commands to the owning node. */
const EMULATION_SURVEY_OP = 'centrifuge_emulation';

/** Survey reply codes of the emulation op (SurveyCodes.UnknownOp is answered by the node itself). */
export const EmulationCode = { Ok: SurveyCodes.Ok, NoSession: 1, BadRequest: SurveyCodes.BadRequest } as const;

/** What travels between nodes: the session, the protocol of the request and the command frame. */
export interface EmulationPayload {
  readonly session: string;
  readonly protocol: ProtocolType;
  readonly data: Uint8Array;
}

export function encodeEmulationPayload(p: EmulationPayload): Uint8Array {
  return Buffer.from(JSON.stringify({ s: p.session, p: p.protocol, d: Buffer.from(p.data).toString('base64') }));
}

/** Returns undefined for anything malformed. */
export function decodeEmulationPayload(bytes: Uint8Array): EmulationPayload | undefined {
  try {
    const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as { s?: unknown; p?: unknown; d?: unknown };
    if (typeof o.s !== 'string' || typeof o.d !== 'string' || (o.p !== 'json' && o.p !== 'protobuf')) return undefined;
    return { session: o.s, protocol: o.p, data: Buffer.from(o.d, 'base64') };
  } catch {
    return undefined;
  }
}

/**
 * Hands the frame to the local emulated session. An unknown (or already closed) session is
 * dropped silently; a frame in the other protocol is refused without touching the session.
 */
export function deliverLocally(node: Node, p: EmulationPayload): number {
  const client = node.clientBySession(p.session);
  if (client === undefined || client.closed || !client.transport.emulation) return EmulationCode.NoSession;
  if (client.transport.protocol !== p.protocol) return EmulationCode.BadRequest;
  client.handleData(p.data);
  return EmulationCode.Ok;
}

/** HTTP status for a delivery result (Centrifugo's emulation endpoint). */
export function emulationStatus(code: number): number {
  if (code === EmulationCode.Ok || code === EmulationCode.NoSession) return 204;
  if (code === EmulationCode.BadRequest) return 400;
  return 500;
}

export interface EmulationEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

export class EmulationEndpoint {
  readonly #node: Node;
  readonly #options: EmulationEndpointOptions;

  constructor(node: Node, options: EmulationEndpointOptions) {
    this.#node = node;
    this.#options = options;
    node.registerSurveyHandler(EMULATION_SURVEY_OP, async (data) => {
      const payload = decodeEmulationPayload(data);
      const code = payload === undefined ? EmulationCode.BadRequest : deliverLocally(node, payload);
      return { code, data: new Uint8Array(0) };
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.#options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, 'POST, OPTIONS');
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.#options.maxRequestBodySize)
      .then(async (body) => {
        if (body === undefined) return;
        if (body === TOO_LARGE) return answerTooLarge(res);
        const protocol = protocolOf(req);
        let request: EmulationRequest;
        try {
          request = codecFor(protocol).decodeEmulationRequest(body);
        } catch {
          return answerStatus(res, 400);
        }
        answerStatus(res, await this.#route(request, protocol));
      })
      .catch((err: unknown) => {
        this.#node.logger.error('error handling emulation request', { error: String(err) });
        answerStatus(res, 500);
      });
  }

  async #route(request: EmulationRequest, protocol: ProtocolType): Promise<number> {
    const node = this.#node;
    const target = request.node ?? '';
    const payload: EmulationPayload = { session: request.session ?? '', protocol, data: request.data ?? new Uint8Array(0) };
    if (target === node.id) return emulationStatus(deliverLocally(node, payload));
    const nodes = await node.info();
    if (target === '' || !nodes.some((n) => n.uid === target)) return 404;
    const replies = await node.survey(EMULATION_SURVEY_OP, encodeEmulationPayload(payload), target);
    const reply = replies.get(target);
    return reply === undefined ? 404 : emulationStatus(reply.code);
  }
}
