/**
 * @module transports/open-streams — the set of live connections of a group of endpoints, so the
 * group's `close()` can end every one of them (nothing outlives the server).
 */

export class OpenStreams {
  readonly #items = new Set<() => void>();

  /** Tracks a connection; `terminate` ends it. Returns the function that forgets it. */
  add(terminate: () => void): () => void {
    this.#items.add(terminate);
    return () => {
      this.#items.delete(terminate);
    };
  }

  get size(): number {
    return this.#items.size;
  }

  /** Terminates every tracked connection (each one's own close handler forgets it). */
  closeAll(): void {
    for (const terminate of [...this.#items]) {
      this.#items.delete(terminate);
      try {
        terminate();
      } catch {
        // one broken connection must not keep the others open
      }
    }
  }
}
