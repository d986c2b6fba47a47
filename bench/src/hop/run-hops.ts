import { freePort } from '@douyin/testing';
import { Hooks, startScript } from '../processes.js';
import { runWrk, type WrkResult } from '../wrk.js';

export interface HopFigures {
  bare: WrkResult;
  /** Tracing every request (the default sampler), breakers and metrics on: the hop. */
  mesh: WrkResult;
  /** The same with one trace in ten sampled at the gateway, the usual production setting. */
  meshSampled: WrkResult;
  /** The same without tracing: what the transport, breaker and metrics cost alone. */
  meshUntraced: WrkResult;
  stockTrpc: WrkResult;
  moleculer: WrkResult;
}

/** The environment of both mesh hop processes for one tracing setting. */
type Tracing = Record<string, string | undefined>;

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
 * libs/mesh runs three ways: tracing every request to `otlpUrl` (how the gateway runs by default), one trace in
 * ten, and without tracing.
 */
export async function runHops(durationSec: number, otlpUrl: string): Promise<HopFigures> {
  const bare = await measure(durationSec, async (hooks) => (await startScript(hooks, './hop/bare.ts', await freePort())).url);
  const meshHop = (tracing: Tracing) =>
    measure(durationSec, async (hooks) => {
      const [calleePort, callerPort] = [await freePort(), await freePort()];
      const env = { ...tracing, CONSUL_HTTP_ADDR: undefined };
      await startScript(hooks, './hop/mesh-callee.ts', calleePort, { ...env, OTEL_SERVICE_NAME: 'hop' }, { tracing: true });
      const caller = await startScript(
        hooks,
        './hop/mesh-caller.ts',
        callerPort,
        { ...env, OTEL_SERVICE_NAME: 'gateway', STATIC_SERVICES: `hop=127.0.0.1:${calleePort}` },
        { tracing: true },
      );
      return caller.url;
    });
  const mesh = await meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl });
  const meshSampled = await meshHop({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  });
  const meshUntraced = await meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_TRACES_EXPORTER: 'none' });
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
  return { bare, mesh, meshSampled, meshUntraced, stockTrpc, moleculer };
}
