import type { PatternType } from '../../domain/alert.js';
import type { Side } from '../../domain/events.js';
import type { SimOrder, SymbolMarket } from './market.js';
import type { Prng } from './prng.js';

/** A label before it gets its scenario id. */
export interface LabelDraft {
  readonly type: PatternType;
  readonly accounts: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
  readonly incidental?: boolean;
  readonly variant: string;
}

/**
 * A scenario whose parameters are drawn but not yet placed: the scheduler knows its duration
 * before choosing where it goes; `apply` schedules its actions on the market and returns its labels.
 */
export interface PreparedScenario {
  readonly type: PatternType | 'news';
  readonly variant: string;
  readonly durationMs: number;
  apply(startMs: number): LabelDraft[];
}

/** Fresh account ids for scenario participants (never used by the background). */
export interface AccountSource {
  fresh(n: number): string[];
  /** An ordinary background trader (e.g. the one who takes a spoofer's real order). */
  anyTrader(): string;
}

const MIN = 60_000;

/** Spreads a total log move over [fromMs, toMs) in per-second steps; `shape` > 1 front-loads it. */
function drift(m: SymbolMarket, fromMs: number, toMs: number, totalLog: number, shape = 1): void {
  const n = Math.max(1, Math.ceil((toMs - fromMs) / 1000));
  const w: number[] = [];
  for (let i = 0; i < n; i++) w.push(shape >= 1 ? (n - i) ** (shape - 1) : (i + 1) ** (1 / shape - 1));
  const sum = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) m.at(fromMs + i * 1000, () => m.shift((totalLog * w[i]!) / sum));
}

/** Mean background volume per second around [fromMs, toMs) (sampled, as a participant would estimate it). */
function backgroundVolumePerSec(m: SymbolMarket, fromMs: number, toMs: number): number {
  let s = 0;
  for (let i = 0; i < 5; i++) s += m.backgroundRate(fromMs + ((toMs - fromMs) * (i + 0.5)) / 5);
  return (s / 5) * m.profile.medianQty * 1.25;
}

/** The real order of a spoofer or layerer rests at the touch and is taken within 100–800 ms. */
function passiveExecution(m: SymbolMarket, rng: Prng, ids: AccountSource, account: string, side: Side, qty: number): void {
  const touch = (side === 'buy' ? m.bestBid() : m.bestAsk()) ?? m.tickOf(m.fundamental);
  const o = m.limit(account, side, touch, qty);
  m.at(m.now + rng.int(100, 800), () => {
    m.hit(o, ids.anyTrader(), o.remaining);
    m.cancel(o);
  });
}

function other(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/** Pump and dump: promoters buy, a rush of small aggressive buys by many accounts lifts the price fast, then the promoters dump. */
export function pumpAndDump(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const promoters = ids.fresh(rng.int(1, 3));
  const crowd = ids.fresh(rng.int(30, 80));
  const pumpMs = Math.round(rng.uniform(2, 8) * MIN);
  const holdMs = Math.round(rng.uniform(0, 60_000));
  const dumpMs = Math.round(rng.uniform(2, 10) * MIN);
  const rise = rng.uniform(0.12, 0.6);
  const giveBack = rng.uniform(0.6, 1.0);
  const burstProb = rng.uniform(0.5, 0.9);
  return {
    type: 'pump_and_dump',
    variant: 'rush',
    durationMs: pumpMs + holdMs + dumpMs,
    apply(startMs) {
      const peakMs = startMs + pumpMs + holdMs;
      const endMs = peakMs + dumpMs;
      const rate = Math.max(m.backgroundRate(startMs), 0.05);
      for (const p of promoters) m.at(startMs + rng.int(0, 20_000), () => m.market(p, 'buy', m.size(rng.uniform(2, 4), 0.3), 3));
      drift(m, startMs, startMs + pumpMs, Math.log(1 + rise), 0.7);
      for (let s = startMs; s < startMs + pumpMs; s += 1000) {
        if (!rng.chance(burstProb)) continue;
        // A rush: many small buys from different accounts in the same second.
        const k = Math.max(5, Math.round(rate * rng.uniform(8, 20)));
        for (let j = 0; j < k; j++) {
          const who = rng.pick(crowd);
          m.at(s + rng.int(0, 999), () => m.market(who, 'buy', m.size(rng.uniform(0.3, 1.2), 0.5), 6));
        }
      }
      drift(m, peakMs, peakMs + Math.round(dumpMs * 0.6), -Math.log(1 + rise) * giveBack, 2);
      for (let t = peakMs; t < endMs; t += Math.round(rng.exp(3000)) + 300) {
        const p = rng.pick(promoters);
        m.at(t, () => m.market(p, 'sell', m.size(rng.uniform(2, 5), 0.3), 8));
      }
      m.surge(peakMs, endMs, rng.uniform(3, 8), 0.2, crowd);
      return [
        { type: 'pump_and_dump', accounts: promoters, startMs, endMs, variant: 'rush' },
        { type: 'volume_spike', accounts: [], startMs, endMs, incidental: true, variant: 'pump' },
        { type: 'price_anomaly', accounts: [], startMs, endMs, incidental: true, variant: 'pump' },
        { type: 'concentrated_trading', accounts: promoters, startMs, endMs, incidental: true, variant: 'pump' },
      ];
    },
  };
}

/** Wash trading: self-trades, or a pair or ring of accounts trading back and forth at similar size and price, net ≈ 0. */
export function washTrading(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const variant = rng.pick(['self', 'pair', 'pair', 'ring'] as const);
  const k = variant === 'self' ? 1 : variant === 'pair' ? 2 : rng.int(3, 4);
  const accounts = ids.fresh(k);
  const legs = variant === 'self' ? rng.int(4, 12) : k * (variant === 'pair' ? rng.int(3, 10) : rng.int(2, 5));
  const meanGapMs = rng.uniform(8_000, 45_000);
  const gaps: number[] = [0];
  for (let i = 1; i < legs; i++) gaps.push(Math.max(1000, Math.round(rng.exp(meanGapMs))));
  const durationMs = gaps.reduce((a, b) => a + b, 0);
  const baseQty = m.size(rng.uniform(1, 5), 0.3);
  return {
    type: 'wash_trading',
    variant,
    durationMs,
    apply(startMs) {
      let t = startMs;
      for (let i = 0; i < legs; i++) {
        t += gaps[i]!;
        const seller = accounts[i % k]!;
        const buyer = accounts[(i + 1) % k]!;
        m.at(t, () => {
          const bid = m.bestBid();
          const ask = m.bestAsk();
          let tick = m.midTick() + rng.int(-1, 1);
          if (bid !== undefined && ask !== undefined) tick = Math.min(ask, Math.max(bid, tick));
          const qty = Math.max(1, Math.round(baseQty * rng.uniform(0.95, 1.05)));
          m.cross(buyer, seller, tick, qty, rng.chance(0.5) ? 'buy' : 'sell');
        });
      }
      return [
        { type: 'wash_trading', accounts, startMs, endMs: t, variant },
        { type: 'concentrated_trading', accounts, startMs, endMs: t, incidental: true, variant: 'wash' },
        { type: 'volume_spike', accounts: [], startMs, endMs: t, incidental: true, variant: 'wash' },
      ];
    },
  };
}

/** Spoofing: a large order near the touch, an execution by the same account on the other side while it rests, a quick cancel; repeated. */
export function spoofing(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const [account] = ids.fresh(1) as [string];
  const reps = rng.int(2, 6);
  const mult = rng.uniform(6, 25);
  const mainSide: Side = rng.chance(0.5) ? 'buy' : 'sell';
  const plan: { placeMs: number; execMs: number; cancelMs: number; side: Side; passive: boolean }[] = [];
  let t = 0;
  for (let i = 0; i < reps; i++) {
    if (i > 0) t += Math.round(rng.uniform(20_000, 120_000));
    const execMs = t + Math.round(rng.uniform(300, 3000));
    // The cancel follows the execution (which, when passive, others take within 800 ms).
    const cancelMs = execMs + Math.round(rng.uniform(1000, 4000));
    plan.push({ placeMs: t, execMs, cancelMs, side: rng.chance(0.75) ? mainSide : other(mainSide), passive: rng.chance(0.5) });
    t = cancelMs;
  }
  return {
    type: 'spoofing',
    variant: 'large_order',
    durationMs: t,
    apply(startMs) {
      for (const p of plan) {
        let spoof: SimOrder | undefined;
        m.at(startMs + p.placeMs, () => {
          const touch = p.side === 'buy' ? m.bestBid() : m.bestAsk();
          const base = touch ?? m.tickOf(m.fundamental);
          const behind = rng.int(0, 1);
          const tick = p.side === 'buy' ? base - behind : base + behind;
          spoof = m.limit(account, p.side, Math.max(1, tick), m.size(mult, 0.15));
        });
        m.at(startMs + p.execMs, () => {
          const side = other(p.side);
          const qty = m.size(rng.uniform(1, 3), 0.3);
          // Up to two ticks through (the touch may hold only the account's own spoof); when
          // nothing else is there, it rests an order that others, misled by the depth, take.
          if (!p.passive && m.market(account, side, qty, 2) > 0) return;
          passiveExecution(m, rng, ids, account, side, qty);
        });
        m.at(startMs + p.cancelMs, () => {
          if (spoof) m.cancel(spoof);
        });
      }
      return [{ type: 'spoofing', accounts: [account], startMs, endMs: startMs + t, variant: 'large_order' }];
    },
  };
}

/** Layering: several same-side orders at distinct levels, an opposite-side execution, then the layers cancelled together. */
export function layering(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const [account] = ids.fresh(1) as [string];
  const cycles = rng.int(1, 4);
  const plan: {
    startMs: number;
    levels: number;
    side: Side;
    placeMs: number[];
    execMs: number;
    cancelMs: number;
    passive: boolean;
    mult: number;
  }[] = [];
  let t = 0;
  for (let c = 0; c < cycles; c++) {
    if (c > 0) t += Math.round(rng.uniform(30_000, 120_000));
    const levels = rng.int(3, 6);
    const placeMs: number[] = [];
    let p = t;
    for (let i = 0; i < levels; i++) {
      placeMs.push(p);
      p += rng.int(0, 400);
    }
    const execMs = p + Math.round(rng.uniform(500, 3000));
    const cancelMs = execMs + Math.round(rng.uniform(1000, 2500));
    plan.push({
      startMs: t,
      levels,
      side: rng.chance(0.5) ? 'buy' : 'sell',
      placeMs,
      execMs,
      cancelMs,
      passive: rng.chance(0.4),
      mult: rng.uniform(2, 5),
    });
    t = cancelMs + 150;
  }
  return {
    type: 'layering',
    variant: 'layers',
    durationMs: t,
    apply(startMs) {
      for (const c of plan) {
        const layers: SimOrder[] = [];
        let anchor: number | undefined;
        c.placeMs.forEach((pm, i) => {
          m.at(startMs + pm, () => {
            if (anchor === undefined) anchor = (c.side === 'buy' ? m.bestBid() : m.bestAsk()) ?? m.tickOf(m.fundamental);
            // One tick behind the touch and deeper: false depth without being hit first.
            const tick = c.side === 'buy' ? anchor - 1 - i : anchor + 1 + i;
            layers.push(m.limit(account, c.side, Math.max(1, tick), m.size(c.mult, 0.2)));
          });
        });
        m.at(startMs + c.execMs, () => {
          const side = other(c.side);
          const qty = m.size(rng.uniform(1, 3), 0.3);
          if (!c.passive && m.market(account, side, qty, 2) > 0) return;
          passiveExecution(m, rng, ids, account, side, qty);
        });
        for (let i = 0; i < c.levels; i++) {
          m.at(startMs + c.cancelMs + rng.int(0, 150), () => {
            const o = layers[i];
            if (o) m.cancel(o);
          });
        }
      }
      return [{ type: 'layering', accounts: [account], startMs, endMs: startMs + t, variant: 'layers' }];
    },
  };
}

/** Volume spike: a burst of ordinary, balanced activity many times the usual rate, with little price effect. */
export function volumeSpike(m: SymbolMarket, rng: Prng): PreparedScenario {
  const durationMs = Math.round(rng.uniform(1, 4) * MIN);
  const mult = rng.uniform(8, 25);
  return {
    type: 'volume_spike',
    variant: 'burst',
    durationMs,
    apply(startMs) {
      m.surge(startMs, startMs + durationMs, mult, 0.5);
      const endMs = startMs + durationMs;
      return [
        { type: 'volume_spike', accounts: [], startMs, endMs, variant: 'burst' },
        { type: 'price_anomaly', accounts: [], startMs, endMs, incidental: true, variant: 'burst' },
      ];
    },
  };
}

/** Price anomaly: a sharp move (5–20%) within seconds to a minute or two, on modest volume. */
export function priceAnomaly(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const sign = rng.chance(0.5) ? 1 : -1;
  const move = rng.uniform(0.05, 0.2);
  const moveMs = Math.round(rng.uniform(10_000, 90_000));
  const sweeps = rng.int(3, 10);
  const durationMs = moveMs + 60_000;
  return {
    type: 'price_anomaly',
    variant: sign > 0 ? 'up' : 'down',
    durationMs,
    apply(startMs) {
      drift(m, startMs, startMs + moveMs, sign * Math.log(1 + move), 1.5);
      const side: Side = sign > 0 ? 'buy' : 'sell';
      for (let i = 0; i < sweeps; i++) {
        const who = ids.anyTrader();
        m.at(startMs + Math.round((moveMs * (i + 0.5)) / sweeps), () => m.market(who, side, m.size(rng.uniform(1.5, 4), 0.3), 20));
      }
      if (rng.chance(0.4)) {
        const back = Math.round(rng.uniform(5, 15) * MIN);
        drift(m, startMs + durationMs, startMs + durationMs + back, -sign * Math.log(1 + move) * rng.uniform(0.3, 0.6));
      }
      const endMs = startMs + durationMs;
      return [
        { type: 'price_anomaly', accounts: [], startMs, endMs, variant: sign > 0 ? 'up' : 'down' },
        { type: 'volume_spike', accounts: [], startMs, endMs, incidental: true, variant: 'price_move' },
      ];
    },
  };
}

/** Concentrated trading: one or two accounts take most of a symbol's volume for a while, in one direction. */
export function concentratedTrading(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const accounts = ids.fresh(rng.int(1, 2));
  const durationMs = Math.round(rng.uniform(20, 50) * MIN);
  const share = rng.uniform(0.6, 0.85);
  const side: Side = rng.chance(0.5) ? 'buy' : 'sell';
  const move = rng.uniform(0.005, 0.02);
  return {
    type: 'concentrated_trading',
    variant: accounts.length === 1 ? 'single' : 'pair',
    durationMs,
    apply(startMs) {
      const endMs = startMs + durationMs;
      const domPerSec = (backgroundVolumePerSec(m, startMs, endMs) * share) / (1 - share);
      // Child size chosen so the window holds at least ~40 of the accounts' trades.
      const child = Math.max(1, Math.min(m.profile.medianQty * rng.uniform(1, 3), (domPerSec * durationMs) / 1000 / 40));
      const meanGapMs = (child / domPerSec) * 1000;
      drift(m, startMs, endMs, (side === 'buy' ? 1 : -1) * Math.log(1 + move));
      for (let t = startMs + rng.exp(meanGapMs); t < endMs; t += rng.exp(meanGapMs)) {
        const who = accounts.length === 1 || rng.chance(0.65) ? accounts[0]! : accounts[1]!;
        m.at(Math.round(t), () => m.market(who, side, Math.max(1, Math.round(child * rng.uniform(0.7, 1.3))), 2));
      }
      return [
        { type: 'concentrated_trading', accounts, startMs, endMs, variant: accounts.length === 1 ? 'single' : 'pair' },
        { type: 'volume_spike', accounts: [], startMs, endMs, incidental: true, variant: 'concentrated' },
        { type: 'price_anomaly', accounts: [], startMs, endMs, incidental: true, variant: 'concentrated' },
      ];
    },
  };
}

/** Marking the close: one account's large share of the last minutes' volume, pushing the price into the close. */
export function markingClose(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const accounts = ids.fresh(1);
  const durationMs = Math.round(rng.uniform(2, 5) * MIN);
  const share = rng.uniform(0.45, 0.75);
  const side: Side = rng.chance(0.6) ? 'buy' : 'sell';
  const move = rng.uniform(0.008, 0.025);
  return {
    type: 'unusual_timing',
    variant: 'marking_close',
    durationMs,
    apply(startMs) {
      const endMs = startMs + durationMs;
      const perSec = (backgroundVolumePerSec(m, startMs, endMs) * share) / (1 - share);
      const child = Math.max(1, Math.min(m.profile.medianQty * rng.uniform(1, 2.5), (perSec * durationMs) / 1000 / 10));
      const meanGapMs = (child / perSec) * 1000;
      drift(m, startMs, endMs - 1000, (side === 'buy' ? 1 : -1) * Math.log(1 + move), 0.8);
      for (let t = startMs + rng.exp(meanGapMs); t < endMs - 1000; t += rng.exp(meanGapMs)) {
        m.at(Math.round(t), () => m.market(accounts[0]!, side, Math.max(1, Math.round(child * rng.uniform(0.7, 1.3))), 3));
      }
      return [
        { type: 'unusual_timing', accounts, startMs, endMs, variant: 'marking_close' },
        { type: 'price_anomaly', accounts: [], startMs, endMs, incidental: true, variant: 'marking_close' },
        { type: 'volume_spike', accounts: [], startMs, endMs, incidental: true, variant: 'marking_close' },
        { type: 'concentrated_trading', accounts, startMs, endMs, incidental: true, variant: 'marking_close' },
      ];
    },
  };
}

/** Trading outside the session: a few accounts crossing trades with each other after the close. */
export function offSession(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const accounts = ids.fresh(rng.int(2, 3));
  const n = rng.int(6, 20);
  const meanGapMs = rng.uniform(20_000, 90_000);
  const gaps: number[] = [0];
  for (let i = 1; i < n; i++) gaps.push(Math.max(2000, Math.round(rng.exp(meanGapMs))));
  const durationMs = gaps.reduce((a, b) => a + b, 0);
  return {
    type: 'unusual_timing',
    variant: 'off_session',
    durationMs,
    apply(startMs) {
      let t = startMs;
      for (let i = 0; i < n; i++) {
        t += gaps[i]!;
        m.at(t, () => {
          const tick = m.tickOf(m.lastPrice) + rng.int(-2, 2);
          const seller = accounts[1 + (i % (accounts.length - 1))]!;
          m.cross(accounts[0]!, seller, Math.max(1, tick), m.size(rng.uniform(1, 4), 0.4), rng.chance(0.5) ? 'buy' : 'sell');
        });
      }
      return [
        { type: 'unusual_timing', accounts, startMs, endMs: t, variant: 'off_session' },
        { type: 'volume_spike', accounts: [], startMs, endMs: t, incidental: true, variant: 'off_session' },
        { type: 'price_anomaly', accounts: [], startMs, endMs: t, incidental: true, variant: 'off_session' },
        { type: 'concentrated_trading', accounts, startMs, endMs: t, incidental: true, variant: 'off_session' },
      ];
    },
  };
}

/** Machine-like timing: one account trading at an almost exact interval. */
export function regularTiming(m: SymbolMarket, rng: Prng, ids: AccountSource): PreparedScenario {
  const [account] = ids.fresh(1) as [string];
  const intervalMs = Math.round(rng.uniform(5_000, 30_000));
  const n = rng.int(25, 60);
  const jitter = rng.uniform(0.002, 0.015);
  return {
    type: 'unusual_timing',
    variant: 'regular',
    durationMs: intervalMs * (n - 1) + 1000,
    apply(startMs) {
      let last = startMs;
      for (let i = 0; i < n; i++) {
        last = startMs + i * intervalMs + Math.round(intervalMs * jitter * rng.uniform(-1, 1));
        m.at(last, () => m.market(account, rng.chance(0.5) ? 'buy' : 'sell', m.size(rng.uniform(0.5, 1.5), 0.3), 1));
      }
      return [
        { type: 'unusual_timing', accounts: [account], startMs, endMs: Math.max(last, startMs + intervalMs * (n - 1)), variant: 'regular' },
      ];
    },
  };
}

/** Benign news: a price jump with a burst of volume, no manipulation. Labelled incidental only. */
export function newsJump(m: SymbolMarket, rng: Prng): PreparedScenario {
  const sign = rng.chance(0.5) ? 1 : -1;
  const jump = rng.uniform(0.02, 0.08);
  const jumpMs = Math.round(rng.uniform(5_000, 30_000));
  const surgeMs = Math.round(rng.uniform(2, 5) * MIN);
  const mult = rng.uniform(4, 10);
  return {
    type: 'news',
    variant: 'news',
    durationMs: surgeMs,
    apply(startMs) {
      drift(m, startMs, startMs + jumpMs, sign * Math.log(1 + jump), 1.5);
      m.surge(startMs, startMs + surgeMs, mult, sign > 0 ? 0.65 : 0.35);
      const endMs = startMs + surgeMs;
      return [
        { type: 'price_anomaly', accounts: [], startMs, endMs, incidental: true, variant: 'news' },
        { type: 'volume_spike', accounts: [], startMs, endMs, incidental: true, variant: 'news' },
      ];
    },
  };
}
