import { currentScope, runInScope, type CallScope } from './call-scope.js';

/** A by-ids query procedure of a mesh client, e.g. `client.byIds` with input `{ videoIds }`. */
export interface ByIdsQuery<K extends string, T> {
  query(input: { [P in K]: number[] }): Promise<T[]>;
}

interface Waiter<T> {
  ids: readonly number[];
  scope: CallScope | undefined;
  resolve(items: T[]): void;
  reject(err: unknown): void;
}

/**
 * The same procedure, with the calls made during one turn of the event loop merged into one call for the union of
 * their ids (at most `maxIds` per call). Each caller gets the items of its own ids, in the order the procedure
 * answered. A burst of requests that each check one video or user (a like storm, a crowd of new sessions) then
 * costs the callee a few calls instead of one per request. The merged call runs under the latest deadline among
 * its callers, the first caller's request id and trace.
 */
export function coalescedByIds<K extends string, T extends { id: number }>(procedure: ByIdsQuery<K, T>, key: K, maxIds: number): ByIdsQuery<K, T> {
  let waiting: Array<Waiter<T>> = [];

  function flush() {
    const batch = waiting;
    waiting = [];
    let group: Array<Waiter<T>> = [];
    let ids = new Set<number>();
    for (const waiter of batch) {
      const added = waiter.ids.filter((id) => !ids.has(id));
      if (group.length > 0 && ids.size + added.length > maxIds) {
        send(group, [...ids]);
        group = [];
        ids = new Set();
      }
      group.push(waiter);
      for (const id of waiter.ids) ids.add(id);
    }
    if (group.length > 0) send(group, [...ids]);
  }

  function send(group: Array<Waiter<T>>, ids: number[]) {
    const scopes = group.flatMap((w) => (w.scope ? [w.scope] : []));
    const run = () => procedure.query({ [key]: ids } as { [P in K]: number[] });
    const scope = scopes.length > 0 ? { requestId: scopes[0]!.requestId, deadline: Math.max(...scopes.map((s) => s.deadline)) } : undefined;
    // A procedure that throws instead of rejecting must still settle every waiter, never leave them hanging.
    const answer = Promise.resolve().then(() => (scope ? runInScope(scope, run) : run()));
    answer.then(
      (items) => {
        for (const waiter of group) {
          const own = new Set(waiter.ids);
          waiter.resolve(items.filter((item) => own.has(item.id)));
        }
      },
      (err: unknown) => {
        for (const waiter of group) waiter.reject(err);
      },
    );
  }

  return {
    query(input) {
      const ids = input[key];
      if (ids.length === 0) return Promise.resolve([]);
      // A list longer than one call may carry is the caller's to split, as without coalescing.
      if (ids.length > maxIds) return procedure.query(input);
      return new Promise<T[]>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(flush);
        waiting.push({ ids, scope: currentScope(), resolve, reject });
      });
    },
  };
}

/** A lookup client (anything with a by-ids `byIds` query) whose calls of one turn are merged, as coalescedByIds. */
export const coalescedLookup = <K extends string, T extends { id: number }>(client: { byIds: ByIdsQuery<K, T> }, key: K, maxIds: number) => ({
  byIds: coalescedByIds(client.byIds, key, maxIds),
});
