import { freePort } from '@douyin/testing';
import { Hooks, startScript } from '../processes.js';
import { runWrk, type WrkResult } from '../wrk.js';

export interface HopFigures {
  bare: WrkResult;
  mesh: WrkResult;
  stockTrpc: WrkResult;
  moleculer: WrkResult;
}

/** The setting: wrk -c50 against GET /hop. */
const CONNECTIONS = 50;

async function measure(durationSec: number, start: (hooks: Hooks) => Promise<string>): Promise<WrkResult> {
  const hooks = new Hooks();
  try {
    const url = await start(hooks);
    const answer = await fetch(`${url}/hop`).then((r) => r.json() as Promise<{ value?: string }>);
    if (answer.value !== 'pong') throw new Error(`${url}/hop answered ${JSON.stringify(answer)}`);
    // A warm-up so the JIT (tsx-compiled code is cold) and the connection pools are steady before the measured run.
    await runWrk({ url: `${url}/hop`, connections: CONNECTIONS, durationSec: Math.max(2, Math.round(durationSec / 2)) });
    return await runWrk({ url: `${url}/hop`, connections: CONNECTIONS, durationSec });
  } finally {
    await hooks.run();
  }
}

/**
 * One mesh hop against a bare route, with the stock tRPC adapter and Moleculer's TCP transporter measured the
 * same way in the same run. Each variant runs alone (the others stopped), so they do not share the two cores.
 * Only libs/mesh runs with tracing on (`otlpUrl`): that is how the gateway runs.
 */
export async function runHops(durationSec: number, otlpUrl: string): Promise<HopFigures> {
  const bare = await measure(durationSec, async (hooks) => (await startScript(hooks, './hop/bare.ts', await freePort())).url);
  const mesh = await measure(durationSec, async (hooks) => {
    const [calleePort, callerPort] = [await freePort(), await freePort()];
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl, CONSUL_HTTP_ADDR: undefined };
    await startScript(hooks, './hop/mesh-callee.ts', calleePort, { ...tracing, OTEL_SERVICE_NAME: 'hop' }, { tracing: true });
    const caller = await startScript(
      hooks,
      './hop/mesh-caller.ts',
      callerPort,
      { ...tracing, OTEL_SERVICE_NAME: 'gateway', STATIC_SERVICES: `hop=127.0.0.1:${calleePort}` },
      { tracing: true },
    );
    return caller.url;
  });
  const stockTrpc = await measure(durationSec, async (hooks) => {
    const [calleePort, callerPort] = [await freePort(), await freePort()];
    await startScript(hooks, './hop/trpc-callee.ts', calleePort);
    return (await startScript(hooks, './hop/trpc-caller.ts', callerPort, { CALLEE_PORT: String(calleePort) })).url;
  });
  const moleculer = await measure(durationSec, async (hooks) => {
    const ports = { CALLEE_TCP_PORT: String(await freePort()), CALLER_TCP_PORT: String(await freePort()) };
    await startScript(hooks, './hop/moleculer-callee.ts', await freePort(), ports);
    return (await startScript(hooks, './hop/moleculer-caller.ts', await freePort(), ports)).url;
  });
  return { bare, mesh, stockTrpc, moleculer };
}
