/**
 * A proxy that records property accesses and hands the path to `onCall` when called:
 * `proxy.a.b.query(x)` calls `onCall(['a', 'b', 'query'], [x])`. It is never a thenable, so awaiting a
 * client by mistake does not call a procedure named "then".
 */
export function pathProxy(onCall: (path: readonly string[], args: unknown[]) => unknown, path: readonly string[] = []): unknown {
  return new Proxy(() => undefined, {
    get: (_target, key) => (typeof key === 'string' && key !== 'then' ? pathProxy(onCall, [...path, key]) : undefined),
    apply: (_target, _this, args: unknown[]) => onCall(path, args),
  });
}
