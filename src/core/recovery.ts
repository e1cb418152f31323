/** @module core/recovery — deciding whether a stream recovery succeeded and merging live publications into it. */
import type { Publication } from './types.js';

/**
 * Stream-mode recovery outcome (Centrifugo's recovery): recovered iff nothing was missed, or the returned
 * publications start right after the client's offset and end at the stream top.
 */
export function isStreamRecovered(
  requestOffset: number,
  topOffset: number,
  publications: readonly Publication[],
): boolean {
  if (publications.length === 0) return topOffset === requestOffset;
  const first = publications[0]!.offset;
  const last = publications[publications.length - 1]!.offset;
  return first === requestOffset + 1 && last === topOffset;
}

/**
 * Merges publications read from history with publications buffered from the live flow while the
 * read was in progress: sorted by offset, de-duplicated. Returns undefined when the merged list has
 * a gap (the first offset must be `afterOffset + 1`, each next the previous + 1) — the caller
 * reports insufficient state. Buffered publications at or below `afterOffset` are dropped.
 */
export function mergePublications(
  recovered: readonly Publication[],
  buffered: readonly Publication[],
  afterOffset: number,
): Publication[] | undefined {
  if (buffered.length === 0) return [...recovered];
  const byOffset = new Map<number, Publication>();
  for (const p of recovered) byOffset.set(p.offset, p);
  for (const p of buffered) if (p.offset > afterOffset && !byOffset.has(p.offset)) byOffset.set(p.offset, p);
  const merged = [...byOffset.values()].sort((a, b) => a.offset - b.offset);
  if (merged.length > 0 && merged[0]!.offset !== afterOffset + 1) return undefined;
  for (let i = 1; i < merged.length; i++) {
    if (merged[i]!.offset !== merged[i - 1]!.offset + 1) return undefined;
  }
  return merged;
}
