/** How a request ended, for the `code` and `outcome` labels: bounded values only. */
export interface Outcome {
  code: string;
  outcome: 'ok' | 'client_error' | 'server_error';
}

// Keyed by the request object, so nothing outlives the request.
const marked = new WeakMap<object, Outcome>();

/** Records the outcome of a request whose HTTP status does not tell it (the gateway answers errors with HTTP 200). */
export function markOutcome(req: object, outcome: Outcome): void {
  marked.set(req, outcome);
}

/** The marked outcome, or the one the HTTP status implies. */
export function outcomeOf(req: object, reply: { statusCode: number }): Outcome {
  const status = reply.statusCode;
  return marked.get(req) ?? { code: String(status), outcome: status < 400 ? 'ok' : status < 500 ? 'client_error' : 'server_error' };
}
