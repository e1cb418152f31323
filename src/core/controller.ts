/** @module core/controller — the node-to-node control bus (heartbeats, cluster-wide commands, surveys). */

/** Transport for control messages; the message format lives in `core/control.ts`. */
export interface Controller {
  /** Starts receiving; `onMessage` gets every control message addressed to all nodes or to this node. */
  start(nodeId: string, onMessage: (data: Uint8Array) => void): Promise<void>;
  /** Sends to every node (including this one) or, with `toNodeId`, to one node. */
  publishControl(data: Uint8Array, toNodeId?: string): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
