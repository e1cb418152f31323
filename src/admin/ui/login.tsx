/** @module admin/ui/login — the password form. */
import { useState } from 'preact/hooks';
import { login } from './api.js';

export function Login({ onToken }: { onToken: (token: string) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (e: Event): void => {
    e.preventDefault();
    setBusy(true);
    setError('');
    login(password)
      .then(onToken)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  return (
    <div class="login">
      <form class="card" onSubmit={submit}>
        <h1>
          <span class="logo">◎</span> Rotor admin
        </h1>
        <label>
          Password
          <input type="password" name="password" autoFocus value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={busy || password === ''}>
          Log in
        </button>
        {error !== '' && (
          <p class="error" data-testid="login-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
