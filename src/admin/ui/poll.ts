/** @module admin/ui/poll — calls a server API method now and every 3 s while a view is mounted. */
import { useEffect } from 'preact/hooks';
import { call } from './api.js';

const POLL_MS = 3000;

/**
 * Polls `method` with `params`; each result goes to `onResult` (an error reply or a failed call to
 * `onError`). Restarts when `deps` change; nothing is delivered after the view unmounts.
 */
export function usePoll<T>(method: string, params: unknown, onResult: (result: T | undefined) => void, onError: (err: unknown) => void, deps: unknown[]): void {
  useEffect(() => {
    let stopped = false;
    const load = (): void => {
      call<T>(method, params)
        .then((r) => {
          if (stopped) return;
          if (r.error !== undefined) throw new Error(`${method}: ${r.error.message}`);
          onResult(r.result);
        })
        .catch((err: unknown) => !stopped && onError(err));
    };
    load();
    const t = setInterval(load, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [method, onError, ...deps]);
}
