import { context, createContextKey } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** The budget of the request being served; outgoing mesh calls made while serving it inherit both fields. */
export interface CallScope {
  requestId: string;
  deadline: number;
}

// The scope is what lets a handler call another service without threading the deadline by hand. It rides in
// OpenTelemetry's context, which lives in an AsyncLocalStorage: the SDK's when tracing is on (the telemetry preload
// registers it before any app module loads), else the one registered here. A store of the mesh's own beside the
// SDK's made every promise of every request pay Node 20's async hooks for both.
const fallback = new AsyncLocalStorageContextManager();
if (!context.setGlobalContextManager(fallback.enable())) fallback.disable();

const SCOPE = createContextKey('douyin.call-scope');

/** Runs `fn` with `scope` as the current call scope. */
export const runInScope = <T>(scope: CallScope, fn: () => T): T => context.with(context.active().setValue(SCOPE, scope), fn);

/** The scope of the request being served, if any. */
export const currentScope = (): CallScope | undefined => context.active().getValue(SCOPE) as CallScope | undefined;

/** The deadline of the request being served, if any: what bounds its database statements (createDb's `deadline`). */
export const currentDeadline = (): number | undefined => currentScope()?.deadline;
