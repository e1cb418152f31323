/**
 * @module admin/ui/main — Rotor's admin single-page UI (Preact, bundled by esbuild at build time).
 *
 * Pages (hash routes): `#/status` (every node from `info`), `#/actions` (any server API method),
 * `#/channels` and `#/channels/<name>` (presence, history, live tail). Logs in through
 * `admin/auth` unless the server says `insecure`; the token lives in localStorage.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Actions } from './actions.js';
import { settings, storedToken, storeToken, Unauthorized } from './api.js';
import { Channel, Channels } from './channels.js';
import { Login } from './login.js';
import { Status } from './status.js';
import { closeTail } from './tail.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [insecure, setInsecure] = useState<boolean | undefined>(undefined);
  const [token, setToken] = useState(storedToken());
  const [error, setError] = useState('');
  const hash = useHash();

  useEffect(() => {
    settings()
      .then((s) => setInsecure(s.insecure))
      .catch((err: unknown) => setError(String(err)));
  }, []);

  const logout = useCallback(() => {
    storeToken(null);
    closeTail();
    setToken(null);
  }, []);
  const onError = useCallback(
    (err: unknown) => {
      if (err instanceof Unauthorized) logout();
      else setError(err instanceof Error ? err.message : String(err));
    },
    [logout],
  );

  if (insecure === undefined) return <p class="muted pad">{error || 'Loading…'}</p>;
  if (!insecure && token === null) {
    return (
      <Login
        onToken={(t) => {
          storeToken(t);
          setToken(t);
          setError('');
          if (location.hash === '') location.hash = '#/status';
        }}
      />
    );
  }

  const route = hash.replace(/^#\/?/, '');
  let page;
  let current = 'status';
  if (route.startsWith('channels/')) {
    current = 'channels';
    page = <Channel channel={decodeURIComponent(route.slice('channels/'.length))} onError={onError} />;
  } else if (route === 'channels') {
    current = 'channels';
    page = <Channels onError={onError} open={(ch) => (location.hash = `#/channels/${encodeURIComponent(ch)}`)} />;
  } else if (route === 'actions') {
    current = 'actions';
    page = <Actions onError={onError} />;
  } else {
    page = <Status onError={onError} />;
  }
  const link = (name: string, label: string) => (
    <a href={`#/${name}`} class={current === name ? 'active' : ''} data-nav={name}>
      {label}
    </a>
  );
  return (
    <div>
      <header>
        <span class="brand">
          <span class="logo">◎</span> Rotor
        </span>
        <nav>
          {link('status', 'Status')}
          {link('actions', 'Actions')}
          {link('channels', 'Channels')}
        </nav>
        {!insecure && (
          <button type="button" class="link" onClick={logout}>
            Log out
          </button>
        )}
      </header>
      <main>
        {error !== '' && (
          <p class="error banner" onClick={() => setError('')}>
            {error}
          </p>
        )}
        {page}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
