/**
 * @module bench/lib/payload — the 96-byte JSON payload with an embedded send timestamp.
 *
 * The timestamp is CLOCK_MONOTONIC in microseconds (process.hrtime), which is the same clock in
 * every process of the machine, so a subscriber in another thread or process can compute latency.
 */

export const PAYLOAD_SIZE = 96;
const T_MARK = Buffer.from('"t":');
const QUOTE = 0x22;

/** Monotonic microseconds, comparable across processes. */
export function nowUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Builds the payload `{"t":<µs>,"s":<seq>,"p":"xxx…"}` padded to exactly 96 bytes.
 * @param {number} seq
 * @param {number} [t]
 * @returns {string}
 */
export function makePayload(seq, t = nowUs()) {
  const head = `{"t":${t},"s":${seq},"p":"`;
  const pad = PAYLOAD_SIZE - head.length - 2;
  return `${head}${'x'.repeat(pad > 0 ? pad : 0)}"}`;
}

/**
 * Finds the send timestamp in [start, end) of `buf`; returns -1 when absent.
 * @param {Buffer} buf
 * @param {number} start
 * @param {number} end
 */
export function readTimestamp(buf, start, end) {
  const at = buf.indexOf(T_MARK, start);
  if (at < 0 || at >= end) return -1;
  let i = at + 4;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return i === at + 4 || buf[i] === QUOTE ? -1 : v;
}
