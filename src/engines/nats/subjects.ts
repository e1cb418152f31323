/**
 * @module engines/nats/subjects — channel ↔ NATS subject mapping (Centrifugo's NATS broker).
 *
 * Normal mode: publications/join/leave travel on `<prefix>.client.<channel>`, control messages on
 * `<prefix>.control` (broadcast) and `<prefix>.node.<uid>` (one node). Raw mode: the subject is
 * `rawPrefix + replace(channel)` where `replace` substitutes strings of the channel using
 * `channelReplacements` (e.g. `{":": "."}`).
 */

/** True when the channel contains a NATS wildcard token character (`*` or `>`). */
export function hasWildcard(channel: string): boolean {
  return channel.includes('*') || channel.includes('>');
}

// eslint-disable-next-line no-control-regex -- NATS subjects must not contain whitespace or control characters
const FORBIDDEN_SUBJECT_CHARS = /[\s\u0000-\u001f\u007f]/u;

/**
 * True when NATS accepts the subject: non-empty, no whitespace/control characters, no empty tokens
 * (leading, trailing or doubled dots).
 */
export function isValidSubject(subject: string): boolean {
  if (subject === '' || FORBIDDEN_SUBJECT_CHARS.test(subject)) return false;
  return subject.split('.').every((token) => token !== '');
}

/** `<prefix>.client.<channel>`. */
export function clientSubject(prefix: string, channel: string): string {
  return `${prefix}.client.${channel}`;
}

/** `<prefix>.control` — control messages for every node. */
export function controlSubject(prefix: string): string {
  return `${prefix}.control`;
}

/** `<prefix>.node.<uid>` — control messages for one node. */
export function nodeSubject(prefix: string, nodeId: string): string {
  return `${prefix}.node.${nodeId}`;
}

/** The channel part of a `<prefix>.client.<channel>` subject, or undefined when it does not match. */
export function channelFromClientSubject(prefix: string, subject: string): string | undefined {
  const head = `${prefix}.client.`;
  return subject.startsWith(head) ? subject.slice(head.length) : undefined;
}

/**
 * Replaces occurrences of the map's keys with their values in one left-to-right pass; at each
 * position the longest matching key wins. Empty keys are ignored.
 */
export function replaceAll(input: string, replacements: Readonly<Record<string, string>>): string {
  const keys = Object.keys(replacements)
    .filter((k) => k !== '')
    .sort((a, b) => b.length - a.length);
  if (keys.length === 0) return input;
  let out = '';
  let i = 0;
  outer: while (i < input.length) {
    for (const key of keys) {
      if (input.startsWith(key, i)) {
        out += replacements[key] ?? key;
        i += key.length;
        continue outer;
      }
    }
    out += input[i] ?? '';
    i++;
  }
  return out;
}

/** Raw mode subject: `rawPrefix + replace(channel)`. */
export function rawSubject(rawPrefix: string, channel: string, replacements: Readonly<Record<string, string>>): string {
  return rawPrefix + replaceAll(channel, replacements);
}

/**
 * Best-effort inverse of `rawSubject` (used only to name the concrete channel of a raw-mode wildcard
 * delivery): strips the prefix and maps replacement values back to their keys. Values that several
 * keys map to are left as they are, because the original cannot be known.
 */
export function channelFromRawSubject(
  rawPrefix: string,
  subject: string,
  replacements: Readonly<Record<string, string>>,
): string | undefined {
  if (!subject.startsWith(rawPrefix)) return undefined;
  const counts = new Map<string, number>();
  for (const value of Object.values(replacements)) counts.set(value, (counts.get(value) ?? 0) + 1);
  const inverse: Record<string, string> = {};
  for (const [key, value] of Object.entries(replacements)) {
    if (value !== '' && counts.get(value) === 1) inverse[value] = key;
  }
  return replaceAll(subject.slice(rawPrefix.length), inverse);
}

/** NATS subject matching: `*` matches one token, a trailing `>` matches one or more tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>' && i === p.length - 1) return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
