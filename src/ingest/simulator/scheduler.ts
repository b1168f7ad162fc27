import type { PatternType } from '../../domain/alert.js';
import { assertNever } from '../../domain/events.js';
import type { ScenarioLabel } from './contract.js';
import type { SymbolMarket } from './market.js';
import { Prng } from './prng.js';
import {
  concentratedTrading,
  layering,
  markingClose,
  newsJump,
  offSession,
  priceAnomaly,
  pumpAndDump,
  regularTiming,
  spoofing,
  volumeSpike,
  washTrading,
  type AccountSource,
  type LabelDraft,
  type PreparedScenario,
} from './scenarios.js';

const MIN = 60_000;
/** Quiet time after the start (or an open) before the first scenario: detectors need a baseline. */
export const WARMUP_MS = 20 * MIN;
/** Nothing is placed in the last minutes of a session except marking the close. */
const CLOSE_BUFFER_MS = 5 * MIN;
/** The session tail kept for marking the close when timing scenarios are on. */
const TAIL_MS = 36 * MIN;

export interface SchedulerOptions {
  readonly seed: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly inject: boolean;
  readonly types: readonly PatternType[];
}

/**
 * Places scenarios on each symbol's timeline, lazily (so an endless live run keeps injecting):
 * one at a time per symbol, never overlapping, separated by quiet gaps, cycling through the allowed
 * types so each appears equally often. Session tails are used for marking the close, and evenings
 * (alternating symbols) for off-session trading. Benign news jumps are placed whether or not
 * scenarios are injected; they only carry incidental labels.
 */
export class ScenarioScheduler {
  private readonly rng: Prng;
  private readonly cursors: number[];
  private readonly done: boolean[];
  private readonly pending: (PreparedScenario | undefined)[];
  private bag: PatternType[] = [];
  private scenarioCount = 0;
  private newsCount = 0;

  constructor(
    private readonly markets: readonly SymbolMarket[],
    private readonly options: SchedulerOptions,
    private readonly ids: AccountSource,
    private readonly labels: ScenarioLabel[],
  ) {
    this.rng = new Prng(options.seed, 'scheduler');
    this.cursors = markets.map(() => options.startMs + WARMUP_MS);
    this.done = markets.map(() => false);
    this.pending = markets.map(() => undefined);
  }

  /** Plans every scenario that starts before `horizonMs`. */
  advance(horizonMs: number): void {
    for (let k = 0; k < this.markets.length; k++) {
      while (!this.done[k] && this.cursors[k]! <= horizonMs) this.slot(k);
    }
  }

  private nextType(): PatternType | 'news' {
    if (!this.options.inject || this.options.types.length === 0) return 'news';
    if (this.rng.chance(0.1)) return 'news';
    if (this.bag.length === 0) this.bag = this.rng.shuffle(this.options.types);
    return this.bag.pop()!;
  }

  private prepare(type: PatternType | 'news', m: SymbolMarket): PreparedScenario {
    const rng = new Prng(this.options.seed, `scenario:${m.symbol}:${this.scenarioCount + this.newsCount}:${type}`);
    switch (type) {
      case 'news':
        return newsJump(m, rng);
      case 'pump_and_dump':
        return pumpAndDump(m, rng, this.ids);
      case 'wash_trading':
        return washTrading(m, rng, this.ids);
      case 'spoofing':
        return spoofing(m, rng, this.ids);
      case 'layering':
        return layering(m, rng, this.ids);
      case 'volume_spike':
        return volumeSpike(m, rng);
      case 'price_anomaly':
        return priceAnomaly(m, rng, this.ids);
      case 'concentrated_trading':
        return concentratedTrading(m, rng, this.ids);
      case 'unusual_timing':
        return regularTiming(m, rng, this.ids);
      default:
        return assertNever(type, 'scenario type');
    }
  }

  private gapAfter(p: PreparedScenario): number {
    if (!this.options.inject) return Math.round(this.rng.exp(120 * MIN)) + 15 * MIN;
    const extra = p.type === 'pump_and_dump' || p.type === 'concentrated_trading' ? 10 * MIN : 0;
    return Math.round(this.rng.uniform(12, 20) * MIN) + extra;
  }

  private place(m: SymbolMarket, p: PreparedScenario, startMs: number): void {
    const drafts: LabelDraft[] = p.apply(Math.round(startMs));
    const id = p.type === 'news' ? `N${String(++this.newsCount).padStart(4, '0')}` : `S${String(++this.scenarioCount).padStart(4, '0')}`;
    for (const d of drafts) {
      this.labels.push({
        scenario_id: id,
        type: d.type,
        symbol: m.symbol,
        accounts: [...d.accounts],
        startMs: d.startMs,
        endMs: d.endMs,
        ...(d.incidental ? { incidental: true } : {}),
        variant: d.variant,
      });
    }
  }

  private slot(k: number): void {
    const m = this.markets[k]!;
    const clock = m.clock;
    const { endMs } = this.options;
    let c = this.cursors[k]!;
    let closeMs = Infinity;
    if (!clock.alwaysOpen) {
      const [o, cl] = clock.sessionAtOrAfter(c);
      if (c < o + WARMUP_MS) c = o + WARMUP_MS;
      closeMs = cl;
    }
    const p = this.pending[k] ?? this.prepare(this.nextType(), m);
    this.pending[k] = p;
    const end = c + p.durationMs;
    // With timing scenarios on, keep the session's tail free (the gap after a scenario is at most
    // 30 min) so the close can be marked.
    const timing = this.options.inject && this.options.types.includes('unusual_timing');
    const lastEndMs = closeMs - (timing ? TAIL_MS : CLOSE_BUFFER_MS);
    if (c >= lastEndMs || end > lastEndMs) {
      this.sessionTail(k, c, closeMs);
      return;
    }
    if (end > endMs) {
      this.done[k] = true;
      return;
    }
    this.place(m, p, c);
    this.pending[k] = undefined;
    this.cursors[k] = end + this.gapAfter(p);
  }

  /** The session's tail: mark the close if timing scenarios are on, maybe trade after hours, then move to the next open. */
  private sessionTail(k: number, c: number, closeMs: number): void {
    const m = this.markets[k]!;
    const { endMs, inject, types } = this.options;
    const timing = inject && types.includes('unusual_timing');
    const day = Math.floor(closeMs / 86_400_000);
    if (timing && closeMs <= endMs) {
      const rng = new Prng(this.options.seed, `close:${m.symbol}:${day}`);
      const mark = markingClose(m, rng, this.ids);
      if (closeMs - mark.durationMs >= c) this.place(m, mark, closeMs - mark.durationMs);
    }
    const nextOpen = m.clock.sessionAtOrAfter(closeMs)[0];
    if (timing && (day + k) % 2 === 0) {
      const rng = new Prng(this.options.seed, `after:${m.symbol}:${day}`);
      const after = offSession(m, rng, this.ids);
      const start = closeMs + Math.round(rng.uniform(5, 40) * MIN);
      if (start + after.durationMs <= Math.min(endMs, nextOpen - 30 * MIN)) this.place(m, after, start);
    }
    if (nextOpen >= endMs) this.done[k] = true;
    this.cursors[k] = nextOpen + WARMUP_MS;
  }
}
