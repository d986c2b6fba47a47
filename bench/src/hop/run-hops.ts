import { freePort } from '@douyin/testing';
import { median } from '../median.js';
import { cpuDuring } from '../process-cpu.js';
import { Hooks, startScript, type BenchProcess } from '../processes.js';
import { runWrk } from '../wrk.js';
import { HOP_VARIANTS, hopRatios, type CallingVariant, type HopRound, type HopVariant } from './hop-ratios.js';

export interface HopFigures {
  /**
   * Per calling variant, req/s over the bare route's in the same round, the median over rounds. mesh traces every
   * request (the default sampler), breakers and metrics on: the hop; meshSampled keeps one trace in ten
   * (the usual production setting); meshUntraced shows what transport, breaker and metrics cost alone.
   */
  ratios: Record<CallingVariant, number>;
  /**
   * CPU µs per request of each variant's serving process (for bare, the only one) and of the process it calls, the
   * median over rounds: the serving process keeps a core busy, so its cost against bare's sets the ratio.
   */
  cpu: Record<HopVariant, CpuPerRequest>;
  rounds: HopRound[];
}

export interface CpuPerRequest {
  caller: number;
  callee?: number;
}

/** A variant's server, and the processes whose CPU a request costs: the server first, then what it calls. */
interface Started {
  url: string;
  pids: number[];
}

const started = (caller: BenchProcess, callee?: BenchProcess): Started => ({
  url: caller.url,
  pids: callee ? [caller.pid, callee.pid] : [caller.pid],
});

/** The environment of both mesh hop processes for one tracing setting. */
type Tracing = Record<string, string | undefined>;

/** The setting: wrk -c50 against GET /hop. */
const CONNECTIONS = 50;

/**
 * One mesh hop against a bare route, with the stock tRPC adapter and Moleculer's TCP transporter measured the
 * same way in the same run. Every variant is started once and warmed; then each round loads them one at a time
 * (the others idle, so they do not share the two cores) for `durationSec` each. libs/mesh runs three ways:
 * tracing every request to `otlpUrl`, one trace in ten, and without tracing. The variants stop when it returns, or
 * with `outer`'s hooks if the bench is interrupted first.
 */
export async function runHops(durationSec: number, rounds: number, otlpUrl: string, outer: Pick<Hooks, 'after'>): Promise<HopFigures> {
  const hooks = new Hooks();
  outer.after(() => hooks.run());
  try {
    const variants = await startVariants(hooks, otlpUrl);
    for (const variant of HOP_VARIANTS) await warmUp(variants[variant].url, durationSec);
    const measured: HopRound[] = [];
    const cpu = Object.fromEntries(HOP_VARIANTS.map((v) => [v, [] as number[][]])) as Record<HopVariant, number[][]>;
    for (let i = 0; i < rounds; i++) {
      const round: Partial<HopRound> = {};
      for (const variant of HOP_VARIANTS) {
        const { url, pids } = variants[variant];
        const { result, seconds } = await cpuDuring(pids, () => runWrk({ url: `${url}/hop`, connections: CONNECTIONS, durationSec }));
        round[variant] = result;
        cpu[variant].push(seconds.map((s) => (s * 1e6) / Math.max(1, result.requests)));
      }
      measured.push(round as HopRound);
    }
    const perRequest = (samples: number[][]): CpuPerRequest => {
      const [caller, callee] = samples[0]!.map((_, i) => median(samples.map((round) => round[i]!)));
      return { caller: caller!, callee };
    };
    return {
      ratios: hopRatios(measured),
      cpu: Object.fromEntries(HOP_VARIANTS.map((v) => [v, perRequest(cpu[v])])) as Record<HopVariant, CpuPerRequest>,
      rounds: measured,
    };
  } finally {
    await hooks.run();
  }
}

/** Checks the answer, then a run before the measured ones, so the JIT and the connection pools are steady. */
async function warmUp(url: string, durationSec: number): Promise<void> {
  const answer = await fetch(`${url}/hop`).then((r) => r.json() as Promise<{ value?: string }>);
  if (answer.value !== 'pong') throw new Error(`${url}/hop answered ${JSON.stringify(answer)}`);
  await runWrk({ url: `${url}/hop`, connections: CONNECTIONS, durationSec: Math.max(1, Math.round(durationSec / 2)) });
}

async function startVariants(hooks: Hooks, otlpUrl: string): Promise<Record<HopVariant, Started>> {
  const meshHop = async (tracing: Tracing): Promise<Started> => {
    const [calleePort, callerPort] = [await freePort(), await freePort()];
    const env = { ...tracing, CONSUL_HTTP_ADDR: undefined };
    const callee = await startScript(hooks, './hop/mesh-callee.ts', calleePort, { ...env, OTEL_SERVICE_NAME: 'hop' }, { tracing: true });
    const caller = await startScript(
      hooks,
      './hop/mesh-caller.ts',
      callerPort,
      { ...env, OTEL_SERVICE_NAME: 'gateway', STATIC_SERVICES: `hop=127.0.0.1:${calleePort}` },
      { tracing: true },
    );
    return started(caller, callee);
  };
  const stockTrpc = async (): Promise<Started> => {
    const [calleePort, callerPort] = [await freePort(), await freePort()];
    const callee = await startScript(hooks, './hop/trpc-callee.ts', calleePort);
    const caller = await startScript(hooks, './hop/trpc-caller.ts', callerPort, { CALLEE_PORT: String(calleePort) });
    return started(caller, callee);
  };
  const moleculer = async (): Promise<Started> => {
    const ports = { CALLEE_TCP_PORT: String(await freePort()), CALLER_TCP_PORT: String(await freePort()) };
    const callee = await startScript(hooks, './hop/moleculer-callee.ts', await freePort(), ports);
    const caller = await startScript(hooks, './hop/moleculer-caller.ts', await freePort(), ports);
    return started(caller, callee);
  };
  // Started side by side (nothing is measured before every variant is up): one after the other, the eleven
  // processes' start-ups took a quick run a quarter of its hop phase.
  const [bare, mesh, meshSampled, meshUntraced, stock, mole] = await Promise.all([
    (async () => started(await startScript(hooks, './hop/bare.ts', await freePort())))(),
    meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl }),
    meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
    meshHop({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_TRACES_EXPORTER: 'none' }),
    stockTrpc(),
    moleculer(),
  ]);
  return { bare, mesh, meshSampled, meshUntraced, stockTrpc: stock, moleculer: mole };
}
