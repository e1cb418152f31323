/** @module admin/ui/actions — any server API method with JSON params, and its JSON reply. */
import { useState } from 'preact/hooks';
import { call, type Reply } from './api.js';
import { json } from './format.js';

/** Every server API method, with a starting template for its params. */
const METHODS: Record<string, unknown> = {
  publish: { channel: 'chat:index', data: { text: 'hello' } },
  broadcast: { channels: ['chat:a', 'chat:b'], data: { text: 'hello' } },
  subscribe: { user: '42', channel: 'chat:index' },
  unsubscribe: { user: '42', channel: 'chat:index' },
  disconnect: { user: '42' },
  refresh: { user: '42', expired: false },
  presence: { channel: 'chat:index' },
  presence_stats: { channel: 'chat:index' },
  history: { channel: 'chat:index', limit: 10, reverse: true },
  history_remove: { channel: 'chat:index' },
  channels: { pattern: '' },
  info: {},
  rpc: { method: 'ping', params: {} },
};

export function Actions({ onError }: { onError: (err: unknown) => void }) {
  const [method, setMethod] = useState('publish');
  const [params, setParams] = useState(json(METHODS['publish']));
  const [reply, setReply] = useState<Reply | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  const choose = (m: string): void => {
    setMethod(m);
    setParams(json(METHODS[m]));
    setReply(undefined);
    setProblem('');
  };
  const send = (e: Event): void => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch (err) {
      setProblem(`Params are not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    setProblem('');
    setBusy(true);
    call(method, parsed)
      .then(setReply)
      .catch(onError)
      .finally(() => setBusy(false));
  };
  return (
    <section class="two-col">
      <form class="card" onSubmit={send}>
        <label>
          Method
          <select name="method" value={method} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
            {Object.keys(METHODS).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Params (JSON)
          <textarea name="params" rows={12} spellcheck={false} value={params} onInput={(e) => setParams((e.target as HTMLTextAreaElement).value)} />
        </label>
        {problem !== '' && <p class="error">{problem}</p>}
        <button type="submit" disabled={busy}>
          Send
        </button>
      </form>
      <div class="card">
        <h3>Reply</h3>
        {reply === undefined ? (
          <p class="muted">Send a command to see the server's reply.</p>
        ) : (
          <pre class={reply.error !== undefined ? 'reply reply-error' : 'reply'} data-testid="reply">
            {json(reply)}
          </pre>
        )}
      </div>
    </section>
  );
}
