/** @module consumers/consumer — the contract every async consumer implements. */

/** One running consumer (PostgreSQL outbox, Redis Stream, NATS JetStream). */
export interface Consumer {
  readonly name: string;
  /** Connects (failing when the source cannot be reached at all) and starts consuming in the background. */
  start(): Promise<void>;
  /**
   * Stops consuming: the message in hand is finished and acknowledged, nothing new is taken; then the
   * connections close. Idempotent.
   */
  close(): Promise<void>;
}
