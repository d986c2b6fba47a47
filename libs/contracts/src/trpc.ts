import { initTRPC } from '@trpc/server';

/** What every procedure receives from the mesh server: the caller's request id and its absolute deadline (epoch ms). */
export interface CallContext {
  requestId: string;
  deadline: number;
}

// One initTRPC for the whole mesh, so every router shares context and error shape.
const t = initTRPC.context<CallContext>().create({ isServer: true });

export const router = t.router;
export const procedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
