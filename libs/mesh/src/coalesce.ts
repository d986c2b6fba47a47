import { AsyncResource } from 'node:async_hooks';
import { currentScope, runInScope, type CallScope } from './call-scope.js';

/** A by-ids query procedure of a mesh client, e.g. `client.byIds` with input `{ videoIds }`. */
export interface ByIdsQuery<K extends string, T> {
  query(input: { [P in K]: number[] }): Promise<T[]>;
}

interface Waiter<A> {
  scope: CallScope | undefined;
  resolve(answer: A): void;
  reject(err: unknown): void;
}

interface IdsWaiter<A> extends Waiter<A> {
  ids: readonly number[];
}

/** The callers of one merged call, and the async context (trace, ...) of the first of them, which the call runs in. */
interface Merged<W> {
  context: AsyncResource;
  waiters: W[];
}

const mergedFrom = <W>(first: W): Merged<W> => ({ context: new AsyncResource('douyin.coalesced-call'), waiters: [first] });

/**
 * Runs the call merged from `waiters` in the first one's context, under the latest deadline among them and the
 * first one's request id, and settles every waiter with `answerOf` its result, or its failure.
 */
function answerAll<W extends Waiter<A>, A>({ context, waiters }: Merged<W>, run: () => Promise<A>, answerOf: (answer: A, waiter: W) => A): void {
  const scopes = waiters.flatMap((w) => (w.scope ? [w.scope] : []));
  const scope = scopes.length > 0 ? { requestId: scopes[0]!.requestId, deadline: Math.max(...scopes.map((s) => s.deadline)) } : undefined;
  // A call that throws instead of rejecting must still settle every waiter, never leave them hanging.
  const answer = context.runInAsyncScope(() => Promise.resolve().then(() => (scope ? runInScope(scope, run) : run())));
  answer.then(
    (answer) => {
      if (waiters.length === 1) waiters[0]!.resolve(answer);
      else for (const waiter of waiters) waiter.resolve(answerOf(answer, waiter));
    },
    (err: unknown) => {
      for (const waiter of waiters) waiter.reject(err);
    },
  );
}

/**
 * `load`, with the calls made during one turn of the event loop for the same group (e.g. the same viewer; `undefined`
 * is a group too) merged into one call for the union of their ids, at most `maxIds` per call. Each caller gets
 * `share(answer, itsIds)` of a merged answer, or the answer itself when its call was not merged. A merged call runs
 * under the latest deadline among its callers, the first caller's request id and trace. Merging only calls made
 * in the same turn, never joining one already made, keeps read-your-writes: every merged call starts after its
 * callers did.
 */
export function coalescedBatches<G, A>(
  load: (group: G, ids: number[]) => Promise<A>,
  share: (answer: A, ids: readonly number[]) => A,
  maxIds: number,
): (group: G, ids: readonly number[]) => Promise<A> {
  type Call = Merged<IdsWaiter<A>> & { ids: Set<number> };
  let waiting = new Map<G, Call[]>();
  const callFrom = (waiter: IdsWaiter<A>): Call => ({ ...mergedFrom(waiter), ids: new Set(waiter.ids) });

  function flush() {
    const groups = waiting;
    waiting = new Map();
    for (const [group, calls] of groups) {
      for (const call of calls) answerAll(call, () => load(group, [...call.ids]), (answer, waiter) => share(answer, waiter.ids));
    }
  }

  return (group, ids) =>
    new Promise<A>((resolve, reject) => {
      if (waiting.size === 0) setImmediate(flush);
      const waiter = { ids, scope: currentScope(), resolve, reject };
      const calls = waiting.get(group);
      if (!calls) return void waiting.set(group, [callFrom(waiter)]);
      const last = calls.at(-1)!;
      const added = ids.filter((id) => !last.ids.has(id));
      // A caller whose ids would take the call past maxIds starts the group's next call.
      if (last.ids.size + added.length > maxIds) return void calls.push(callFrom(waiter));
      last.waiters.push(waiter);
      for (const id of added) last.ids.add(id);
    });
}

/**
 * `procedure`, with the identical calls (the same `keyOf(input)`) made during one turn of the event loop answered
 * by one call, as coalescedBatches merges. Every caller of a merged call gets the same answer object: callers
 * must not change it.
 */
export function coalescedQuery<I, O>(procedure: { query(input: I): Promise<O> }, keyOf: (input: I) => string): { query(input: I): Promise<O> } {
  let waiting = new Map<string, Merged<Waiter<O>> & { input: I }>();

  function flush() {
    const calls = waiting;
    waiting = new Map();
    for (const call of calls.values()) answerAll(call, () => procedure.query(call.input), (answer) => answer);
  }

  return {
    query: (input) =>
      new Promise<O>((resolve, reject) => {
        if (waiting.size === 0) setImmediate(flush);
        const key = keyOf(input);
        const waiter = { scope: currentScope(), resolve, reject };
        const call = waiting.get(key);
        if (call) call.waiters.push(waiter);
        else waiting.set(key, { ...mergedFrom(waiter), input });
      }),
  };
}

/**
 * The same procedure, with the calls made during one turn of the event loop merged into one call for the union of
 * their ids (see coalescedBatches). Each caller gets the items of its own ids, in the order the procedure answered.
 * A burst of requests that each check one video or user (a like storm, a crowd of new sessions) then costs the
 * callee a few calls instead of one per request.
 */
export function coalescedByIds<K extends string, T extends { id: number }>(procedure: ByIdsQuery<K, T>, key: K, maxIds: number): ByIdsQuery<K, T> {
  const merged = coalescedBatches(
    (_: undefined, ids) => procedure.query({ [key]: ids } as { [P in K]: number[] }),
    (items: T[], ids) => {
      const own = new Set(ids);
      return items.filter((item) => own.has(item.id));
    },
    maxIds,
  );
  return {
    query(input) {
      const ids = input[key];
      if (ids.length === 0) return Promise.resolve([]);
      // A list longer than one call may carry is the caller's to split, as without coalescing.
      if (ids.length > maxIds) return procedure.query(input);
      return merged(undefined, ids);
    },
  };
}

/** A lookup client (anything with a by-ids `byIds` query) whose calls of one turn are merged, as coalescedByIds. */
export const coalescedLookup = <K extends string, T extends { id: number }>(client: { byIds: ByIdsQuery<K, T> }, key: K, maxIds: number) => ({
  byIds: coalescedByIds(client.byIds, key, maxIds),
});
