/** @module admin/ui/channels — active channels; one channel's presence, history and live tail. */
import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { json } from './format.js';
import { usePoll } from './poll.js';
import { tail, type TailPublication } from './tail.js';

const TAIL_KEEP = 100;

export function Channels({ onError, open }: { onError: (err: unknown) => void; open: (channel: string) => void }) {
  const [pattern, setPattern] = useState('');
  const [channels, setChannels] = useState<Array<[string, number]> | undefined>(undefined);
  usePoll<{ channels?: Record<string, { num_clients?: number }> }>(
    'channels',
    { pattern },
    (result) => {
      const list = Object.entries(result?.channels ?? {}).map(([ch, info]): [string, number] => [ch, info.num_clients ?? 0]);
      list.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      setChannels(list);
    },
    onError,
    [pattern],
  );

  return (
    <section>
      <div class="toolbar">
        <input placeholder="Filter (pattern, e.g. chat:*)" value={pattern} onChange={(e) => setPattern((e.target as HTMLInputElement).value)} />
        <span class="muted small">Channels with at least one subscriber, across all nodes</span>
      </div>
      {channels === undefined ? (
        <p class="muted">Loading…</p>
      ) : channels.length === 0 ? (
        <p class="muted">No active channels.</p>
      ) : (
        <table class="grid" data-testid="channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th class="num">Clients</th>
            </tr>
          </thead>
          <tbody>
            {channels.map(([ch, n]) => (
              <tr key={ch} class="clickable" data-channel={ch} onClick={() => open(ch)}>
                <td>
                  <a href={`#/channels/${encodeURIComponent(ch)}`}>{ch}</a>
                </td>
                <td class="num">{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface ChannelData {
  stats?: unknown;
  presence?: unknown;
  history?: unknown;
}

export function Channel({ channel, onError }: { channel: string; onError: (err: unknown) => void }) {
  const [data, setData] = useState<ChannelData>({});
  const [state, setState] = useState('connecting');
  const [live, setLive] = useState<TailPublication[]>([]);

  const load = (): void => {
    const section = (method: string, params: unknown): Promise<unknown> =>
      call(method, params).then((r) => (r.error !== undefined ? { error: r.error } : r.result));
    Promise.all([
      section('presence_stats', { channel }),
      section('presence', { channel }),
      section('history', { channel, limit: 20, reverse: true }),
    ])
      .then(([stats, presence, history]) => setData({ stats, presence, history }))
      .catch(onError);
  };
  useEffect(load, [channel]);
  useEffect(() => {
    setLive([]);
    return tail(channel, {
      state: setState,
      publication: (p) => setLive((prev) => [p, ...prev].slice(0, TAIL_KEEP)),
    });
  }, [channel]);

  return (
    <section>
      <div class="toolbar">
        <a href="#/channels">← Channels</a>
        <h2 data-testid="channel-name">{channel}</h2>
        <button type="button" onClick={load}>
          Reload
        </button>
      </div>
      <div class="two-col">
        <div class="card">
          <h3>
            Live publications <span class={`badge ${state === 'subscribed' ? 'ok' : ''}`} data-testid="tail-state">{state}</span>
          </h3>
          {live.length === 0 ? (
            <p class="muted">Waiting for publications…</p>
          ) : (
            <ul class="tail" data-testid="tail">
              {live.map((p, i) => (
                <li key={`${p.offset ?? ''}-${i}-${p.at.getTime()}`}>
                  <span class="muted small">
                    {p.at.toLocaleTimeString()}
                    {p.offset !== undefined ? ` · #${p.offset}` : ''}
                    {p.user ? ` · ${p.user}` : ''}
                  </span>
                  <pre>{json(p.data)}</pre>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <div class="card">
            <h3>Presence stats</h3>
            <pre data-testid="presence-stats">{json(data.stats)}</pre>
          </div>
          <div class="card">
            <h3>Presence</h3>
            <pre data-testid="presence">{json(data.presence)}</pre>
          </div>
          <div class="card">
            <h3>History (latest 20)</h3>
            <pre data-testid="history">{json(data.history)}</pre>
          </div>
        </div>
      </div>
    </section>
  );
}
