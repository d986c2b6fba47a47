import { freePort } from '@douyin/testing';
import { Hooks, startScript } from '../processes.js';
import { runWrk } from '../wrk.js';
import { HOP_VARIANTS, hopRatios, type CallingVariant, type HopRound, type HopVariant } from './hop-ratios.js';

export interface HopFigures {
  /**
   * Per calling variant, req/s over the bare route's in the same round, the median over rounds. mesh traces every
   * request (the default sampler), breakers and metrics on: the hop; meshSampled keeps one trace in ten
   * (the usual production setting); meshUntraced shows what transport, breaker and metrics cost alone.
   */
  ratios: Record<CallingVariant, number>;
  rounds: HopRound[];
}

/** The environment of both mesh hop processes for one tracing setting. */
type Tracing = Record<string, string | undefined>;

/** The setting: wrk -c50 against GET /hop. */
const CONNECTIONS = 50;

/**
 * One mesh hop against a bare route, with the stock tRPC adapter and Moleculer's TCP transporter measured the
 * same way in the same run. Every variant is started once and warmed; then each round loads them one at a time
 * (the others idle, so they do not share the two cores) for `durationSec` each. libs/mesh runs three ways:
 * tracing every request to `otlpUrl`, one trace in ten, and without tracing.
 */
export async function runHops(durationSec: number, rounds: number, otlpUrl: string): Promise<HopFigures> {
  const hooks = new Hooks();
  try {
    const urls = await startVariants(hooks, otlpUrl);
    for (const variant of HOP_VARIANTS) await warmUp(urls[variant], durationSec);
    const measured: HopRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const round: Partial<HopRound> = {};
      for (const variant of HOP_VARIANTS) round[variant] = await runWrk({ url: `${urls[variant]}/hop`, connections: CONNECTIONS, durationSec });
      measured.push(round as HopRound);
    }
    return { ratios: hopRatios(measured), rounds: measured };
  } finally {
    await hooks.run();
  }
}

/** Checks the answer, then a run before the measured ones, so the JIT and the connection pools are steady. */
async function warmUp(url: string, durationSec: number): Promise<void> {
  const answer = await fetch(`${url}/hop`).then((r) => r.json() as Promise<{ value?: string }>);
  if (answer.value !== 'pong') throw new Error(`${url}/hop answered ${JSON.stringify(answer)}`);
  await runWrk({ url: `${url}/hop`, connections: CONNECTIONS, durationSec: Math.max(2, Math.round(durationSec / 2)) });
}

async function startVariants(hooks: Hooks, otlpUrl: string): Promise<Record<HopVariant, string>> {
  const meshHop = async (tracing: Tracing) => {
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
  };
  const stockTrpc = async () => {
    const [calleePort, callerPort] = [await freePort(), await freePort()];
    await startScript(hooks, './hop/trpc-callee.ts', calleePort);
    return (await startScript(hooks, './hop/trpc-caller.ts', callerPort, { CALLEE_PORT: String(calleePort) })).url;
  };
  const moleculer = async () => {
    const ports = { CALLEE_TCP_PORT: String(await freePort()), CALLER_TCP_PORT: String(await freePort()) };
    await startScript(hooks, './hop/moleculer-callee.ts', await freePort(), ports);
    return (await startScript(hooks, './hop/moleculer-caller.ts', await freePort(), ports)).url;
  };
  return {
    bare: (await startScript(hooks, './hop/bare.ts', await freePort())).url,
    mesh: await meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl }),
    meshSampled: await meshHop({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    }),
    meshUntraced: await meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_TRACES_EXPORTER: 'none' }),
    stockTrpc: await stockTrpc(),
    moleculer: await moleculer(),
  };
}
