/** How a request ended, for the `code` and `outcome` labels: bounded values only. */
export interface Outcome {
  code: string;
  outcome: 'ok' | 'client_error' | 'server_error' | 'aborted';
}

/**
 * A request whose answer was never given whole: its client left first (nginx's "client closed request"), or the
 * connection went idle past the gateway's limit (a phone that stopped reading), which the gateway cuts unanswered.
 */
export const ABORTED: Outcome = { code: '499', outcome: 'aborted' };

// Weakly keyed by the request (or its socket), so nothing outlives it.
const marked = new WeakMap<object, Outcome>();
const streams = new WeakSet<object>();
const cut = new WeakMap<object, Outcome>();

/** Records the outcome of a request whose HTTP status does not tell it (the gateway answers errors with HTTP 200). */
export function markOutcome(req: object, outcome: Outcome): void {
  marked.set(req, outcome);
}

/**
 * Marks an answer that streams until either side ends it (a push channel): its client leaving is its normal end,
 * not an abort, and how long it stayed open is not a latency.
 */
export function markStream(req: object): void {
  streams.add(req);
}

export function isStream(req: object): boolean {
  return streams.has(req);
}

/** The marked outcome, or the one the HTTP status implies. */
export function outcomeOf(req: object, reply: { statusCode: number }): Outcome {
  const status = reply.statusCode;
  return marked.get(req) ?? { code: String(status), outcome: status < 400 ? 'ok' : status < 500 ? 'client_error' : 'server_error' };
}

/**
 * Records the answer the server wrote itself on a connection (the socket) it then closes before the request's own
 * answer: a body too slow, a request Node gave up on. Keyed by the socket: Node cuts some where no request is at hand.
 */
export function markCut(socket: object, outcome: Outcome): void {
  cut.set(socket, outcome);
}

/** The outcome of a request whose connection closed before its answer was finished. */
export function closedOutcome(req: object, socket: object | undefined, reply: { statusCode: number }): Outcome {
  return (socket && cut.get(socket)) ?? (streams.has(req) ? outcomeOf(req, reply) : ABORTED);
}
