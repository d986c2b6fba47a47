import { AsyncLocalStorage } from 'node:async_hooks';

/** The budget of the request being served; outgoing mesh calls made while serving it inherit both fields. */
export interface CallScope {
  requestId: string;
  deadline: number;
}

// AsyncLocalStorage is what lets a handler call another service without threading the deadline by hand.
const storage = new AsyncLocalStorage<CallScope>();

/** Runs `fn` with `scope` as the current call scope. */
export const runInScope = <T>(scope: CallScope, fn: () => T): T => storage.run(scope, fn);

/** The scope of the request being served, if any. */
export const currentScope = (): CallScope | undefined => storage.getStore();
