import { PATTERN_TYPES } from '../../domain/alert.js';
import { UsageError } from '../../domain/errors.js';
import type { MarketEvent } from '../../domain/events.js';
import type { ScenarioLabel, SimulatorOptions, Simulation } from './contract.js';
import { SymbolMarket, type AccountPools } from './market.js';
import { makeProfile } from './profiles.js';
import { Prng } from './prng.js';
import { ScenarioScheduler } from './scheduler.js';
import type { AccountSource } from './scenarios.js';
import { SessionClock, SIMULATOR_SESSION } from './session-clock.js';

export { SIMULATOR_SESSION, simulatorSessions } from './session-clock.js';
export type { ScenarioLabel, SimulatorOptions, Simulation, SimSession } from './contract.js';

/** How far ahead of the simulated time scenarios are planned. */
const PLAN_AHEAD_MS = 60_000;

/** Account ids look alike for everyone (A + 5 digits), so no detector can tell roles by name. */
function accountIds(seed: number): { pools: AccountPools; ids: AccountSource } {
  const rng = new Prng(seed, 'accounts');
  const used = new Set<string>();
  const fresh = (): string => {
    for (;;) {
      const id = `A${rng.int(10000, 99999)}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const make = (n: number): string[] => Array.from({ length: n }, fresh);
  const pools: AccountPools = { marketMakers: make(8), institutions: make(12), traders: make(400) };
  const pickRng = new Prng(seed, 'reactive-traders');
  return {
    pools,
    ids: {
      fresh: make,
      anyTrader: () => pickRng.pick(pools.traders),
    },
  };
}

/** Merges two event arrays sorted by time (stable: `a` first on ties). */
function mergeByTime(a: MarketEvent[], b: MarketEvent[]): MarketEvent[] {
  const out: MarketEvent[] = new Array<MarketEvent>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = b[j]!.tsMs < a[i]!.tsMs ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

function validate(options: SimulatorOptions): void {
  if (options.symbols.length === 0) throw new UsageError('the simulator needs at least one symbol (e.g. --symbols AAA,BBB)');
  if (new Set(options.symbols).size !== options.symbols.length)
    throw new UsageError(`simulator symbols must be distinct: ${options.symbols.join(',')}`);
  if (!Number.isFinite(options.seed)) throw new UsageError(`simulator seed must be a number, got ${options.seed}`);
  if (!Number.isFinite(options.startMs)) throw new UsageError(`simulator start time must be a finite epoch-ms, got ${options.startMs}`);
  if (options.durationMs !== null && !(options.durationMs >= 0))
    throw new UsageError(`simulator duration must be ≥ 0 ms or null (endless), got ${options.durationMs}`);
  for (const t of options.scenarioTypes ?? []) {
    if (!(PATTERN_TYPES as readonly string[]).includes(t))
      throw new UsageError(`unknown scenario type '${t}' (one of ${PATTERN_TYPES.join(', ')})`);
  }
}

/**
 * The built-in market simulator: a deterministic (from `seed`) market of limit order books with
 * realistic background activity (market makers, ordinary traders, institutions, benign news) and,
 * with `inject`, labelled manipulation scenarios of every pattern. Each iteration of `batches`
 * replays the same simulation from the start; `labels` fills as scenarios are planned.
 */
export function simulate(options: SimulatorOptions): Simulation {
  validate(options);
  const labels: ScenarioLabel[] = [];
  const session = options.session === undefined ? SIMULATOR_SESSION : options.session;
  const startMs = Math.round(options.startMs);
  const endMs = options.durationMs === null ? Infinity : startMs + options.durationMs;
  const types = options.scenarioTypes ?? PATTERN_TYPES;

  function* run(): Generator<MarketEvent[]> {
    labels.length = 0;
    const clock = new SessionClock(session);
    const { pools, ids } = accountIds(options.seed);
    const markets = options.symbols.map(
      (symbol, i) =>
        new SymbolMarket(
          makeProfile(symbol, i, new Prng(options.seed, `profile:${symbol}`)),
          new Prng(options.seed, `market:${symbol}`),
          clock,
          pools,
          startMs,
        ),
    );
    const scheduler = new ScenarioScheduler(markets, { seed: options.seed, startMs, endMs, inject: options.inject, types }, ids, labels);
    for (let t = startMs; t < endMs; t += 1000) {
      scheduler.advance(t + PLAN_AHEAD_MS);
      const untilMs = Math.min(t + 1000, endMs);
      let batch: MarketEvent[] | undefined;
      for (const m of markets) {
        const events = m.step(t, untilMs);
        if (events.length > 0) batch = batch ? mergeByTime(batch, events) : events;
      }
      if (batch) yield batch;
    }
  }

  return { batches: { [Symbol.iterator]: run }, labels };
}
