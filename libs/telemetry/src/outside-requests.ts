import { ROOT_CONTEXT, context } from '@opentelemetry/api';

/**
 * Runs `fn` outside any request: no trace, and no mesh call scope (it rides in the same context). For work a request
 * starts but does not own (a poll loop, a retry timer): timers and sockets created inside a request keep its
 * context, so their later calls would join its trace and carry its deadline, long passed.
 */
export const outsideRequests = <T>(fn: () => T): T => context.with(ROOT_CONTEXT, fn);
