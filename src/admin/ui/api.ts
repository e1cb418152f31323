/** @module admin/ui/api — the admin endpoints as the UI calls them (paths relative to the page). */

const TOKEN_KEY = 'rotor-admin-token';

export class Unauthorized extends Error {
  override readonly name = 'Unauthorized';
}

interface ApiError {
  code: number;
  message: string;
}

/** One legacy-format reply: `result` or `error`. */
export interface Reply<T = unknown> {
  result?: T;
  error?: ApiError;
}

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
}

function authHeaders(): Record<string, string> {
  const t = storedToken();
  return t === null ? {} : { Authorization: `token ${t}` };
}

export async function settings(): Promise<{ insecure: boolean; edition: string }> {
  const r = await fetch('admin/settings');
  if (!r.ok) throw new Error(`settings: HTTP ${r.status}`);
  return (await r.json()) as { insecure: boolean; edition: string };
}

/** Logs in; resolves with the token, or rejects with a message for the form. */
export async function login(password: string): Promise<string> {
  const r = await fetch('admin/auth', { method: 'POST', body: new URLSearchParams({ password }) });
  if (r.status === 400) throw new Error('Wrong password (or admin_password / admin_secret not configured)');
  if (!r.ok) throw new Error(`Login failed: HTTP ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** Calls a server API method through `POST admin/api` (legacy command format). */
export async function call<T = unknown>(method: string, params: unknown): Promise<Reply<T>> {
  const r = await fetch('admin/api', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authHeaders() },
    body: JSON.stringify({ method, params }),
  });
  if (r.status === 401) throw new Unauthorized('unauthorized');
  if (!r.ok) throw new Error(`${method}: HTTP ${r.status} ${(await r.text()).trim()}`);
  return (await r.json()) as Reply<T>;
}

/** A short-lived connection token for the UI's own observer connection (live tail). */
export async function connectionToken(): Promise<string> {
  const r = await fetch('admin/connection_token', { method: 'POST', headers: authHeaders() });
  if (r.status === 401) throw new Unauthorized('unauthorized');
  if (!r.ok) throw new Error(`connection token: HTTP ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** `ws(s)://<this host><page path>admin/connection/websocket` */
export function observerWebSocketUrl(): string {
  const u = new URL('admin/connection/websocket', location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  u.search = '';
  return u.toString();
}
