import { AsyncResource } from 'node:async_hooks';
import { currentScope, runInScope, type CallScope } from './call-scope.js';
import { meshError } from './mesh-errors.js';

/** A by-ids query procedure of a mesh client, e.g. `client.byIds` with input `{ videoIds }`. */
export interface ByIdsQuery<K extends string, T> {
  query(input: { [P in K]: number[] }): Promise<T[]>;
}

interface Waiter<A> {
  scope: CallScope | undefined;
  resolve(answer: A): void;
  reject(err: unknown): void;
}

/** The callers of one merged call, and the async context (trace, ...) of the first of them, which the call runs in. */
interface Merged<W> {
  context: AsyncResource;
  waiters: W[];
}

const mergedFrom = <W>(first: W): Merged<W> => ({ context: new AsyncResource('douyin.coalesced-call'), waiters: [first] });

const outOfTime = () =>
  meshError('mesh', 'merged call', { code: 'GATEWAY_TIMEOUT', message: 'a merged call did not answer within this caller\'s deadline' }, 504);

/**
 * Runs the call merged from `waiters` in the first one's context, under the latest deadline among them and the
 * first one's request id, and settles every waiter with `answerOf` its result, or its failure. A waiter whose own
 * deadline comes first gives up then, as its own call would have.
 */
function answerAll<W extends Waiter<A>, A>({ context, waiters }: Merged<W>, run: () => Promise<A>, answerOf: (answer: A, waiter: W) => A): void {
  const scopes = waiters.flatMap((w) => (w.scope ? [w.scope] : []));
  const scope = scopes.length > 0 ? { requestId: scopes[0]!.requestId, deadline: Math.max(...scopes.map((s) => s.deadline)) } : undefined;
  const timers = waiters.flatMap((w) =>
    w.scope && scope && w.scope.deadline < scope.deadline ? [setTimeout(() => w.reject(outOfTime()), w.scope.deadline - Date.now())] : [],
  );
  // A call that throws instead of rejecting must still settle every waiter, never leave them hanging.
  const answer = context.runInAsyncScope(() => Promise.resolve().then(() => (scope ? runInScope(scope, run) : run())));
  answer.finally(() => timers.forEach(clearTimeout)).catch(() => undefined);
  answer.then(
    (answer) => {
      if (waiters.length === 1) return waiters[0]!.resolve(answer);
      for (const waiter of waiters) {
        // One caller's share failing (an answer not of the shape asked for) fails that caller, not the rest.
        try {
          waiter.resolve(answerOf(answer, waiter));
        } catch (err) {
          waiter.reject(err);
        }
      }
    },
    (err: unknown) => {
      for (const waiter of waiters) waiter.reject(err);
    },
  );
}

interface GroupWaiter<A, G> extends Waiter<A> {
  group: G;
  ids: readonly number[];
}

export interface GroupLimits {
  /** Groups one call may carry (1: a call per group). */
  maxGroups: number;
  /** Ids one call may carry, summed over its groups... */
  maxIds: number;
  /** ...and for any one group (a procedure's bound per user, say); default maxIds. */
  maxIdsPerGroup?: number;
}

/**
 * `load`, with the calls made during one turn of the event loop merged: each call is for one group (e.g. a viewer)
 * and its ids, a merged call is for the union of its callers' ids per group, within `limits`. A caller joins the
 * latest call that has its group, or else the latest call, if its ids fit; otherwise it starts the next call. Each
 * caller gets `share(answer, itsGroup, itsIds)` of a merged answer, or the answer itself when its call was not
 * merged. A merged call runs under the latest deadline among its callers, the first caller's request id and trace.
 * Merging only calls made in the same turn, never joining one already made, keeps read-your-writes: every merged
 * call starts after its callers did.
 */
export function coalescedGroups<G, A>(
  load: (asked: ReadonlyMap<G, number[]>) => Promise<A>,
  share: (answer: A, group: G, ids: readonly number[]) => A,
  limits: GroupLimits,
): (group: G, ids: readonly number[]) => Promise<A> {
  type Call = Merged<GroupWaiter<A, G>> & { asked: Map<G, Set<number>>; size: number };
  let open: Call[] = [];

  function flush() {
    const calls = open;
    open = [];
    for (const call of calls) {
      const asked = new Map([...call.asked].map(([group, ids]) => [group, [...ids]]));
      answerAll(call, () => load(asked), (answer, waiter) => share(answer, waiter.group, waiter.ids));
    }
  }

  /** The ids `waiter` would add to `call`, or undefined when they do not fit in it. */
  function fresh(call: Call | undefined, { group, ids }: GroupWaiter<A, G>): number[] | undefined {
    if (!call) return undefined;
    const known = call.asked.get(group);
    if (!known && call.asked.size >= limits.maxGroups) return undefined;
    const added = [...new Set(known ? ids.filter((id) => !known.has(id)) : ids)];
    const fits = call.size + added.length <= limits.maxIds && (known?.size ?? 0) + added.length <= (limits.maxIdsPerGroup ?? limits.maxIds);
    return fits ? added : undefined;
  }

  function join(waiter: GroupWaiter<A, G>): void {
    const ownGroup = open.findLast((call) => call.asked.has(waiter.group));
    for (const call of ownGroup === open.at(-1) ? [ownGroup] : [ownGroup, open.at(-1)]) {
      const added = fresh(call, waiter);
      if (!call || !added) continue;
      call.waiters.push(waiter);
      const known = call.asked.get(waiter.group) ?? call.asked.set(waiter.group, new Set()).get(waiter.group)!;
      for (const id of added) known.add(id);
      call.size += added.length;
      return;
    }
    const ids = new Set(waiter.ids);
    open.push({ ...mergedFrom(waiter), asked: new Map([[waiter.group, ids]]), size: ids.size });
  }

  return (group, ids) =>
    new Promise<A>((resolve, reject) => {
      if (open.length === 0) setImmediate(flush);
      join({ group, ids, scope: currentScope(), resolve, reject });
    });
}

/**
 * `load`, with the calls made during one turn of the event loop for the same group (e.g. the same viewer; `undefined`
 * is a group too) merged into one call for the union of their ids, at most `maxIds` per call (coalescedGroups with
 * one group per call). Each caller gets `share(answer, itsIds)` of a merged answer, or the answer itself when its
 * call was not merged.
 */
export function coalescedBatches<G, A>(
  load: (group: G, ids: number[]) => Promise<A>,
  share: (answer: A, ids: readonly number[]) => A,
  maxIds: number,
): (group: G, ids: readonly number[]) => Promise<A> {
  return coalescedGroups(
    (asked: ReadonlyMap<G, number[]>) => {
      const [group, ids] = [...asked][0]!;
      return load(group, ids);
    },
    (answer, _group, ids) => share(answer, ids),
    { maxGroups: 1, maxIds },
  );
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
