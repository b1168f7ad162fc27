import type { PatternType } from './alert.js';

/** What `list-patterns` shows: every pattern with its description, indicators and risk level. */
export interface PatternInfo {
  readonly type: PatternType;
  readonly name: string;
  readonly category: 'manipulation' | 'anomaly';
  readonly description: string;
  readonly indicators: readonly string[];
  readonly riskLevel: 'critical' | 'high' | 'medium' | 'low';
}

export const PATTERNS: readonly PatternInfo[] = [
  {
    type: 'pump_and_dump',
    name: 'Pump and dump',
    category: 'manipulation',
    description:
      'A fast price rise on a volume surge driven by bursts of small aggressive buys, followed by a sharp reversal as the promoters sell.',
    indicators: [
      'price rise over a short window',
      'volume many times the baseline',
      'rush orders: many aggressive buys in the same second',
      'reversal after the peak',
    ],
    riskLevel: 'critical',
  },
  {
    type: 'wash_trading',
    name: 'Wash trading',
    category: 'manipulation',
    description:
      'Trades with no change in beneficial ownership: self-trades, or accounts trading back and forth (pairs and rings) at similar size and price with a net position near zero.',
    indicators: ['buyer equals seller', 'cycles in the buyer→seller graph', 'offsetting quantities (net ≈ 0)', 'similar prices and sizes'],
    riskLevel: 'high',
  },
  {
    type: 'spoofing',
    name: 'Spoofing',
    category: 'manipulation',
    description:
      'Large orders placed on one side with intent to cancel, while the same account executes on the other side; the large orders are cancelled quickly and rarely fill.',
    indicators: [
      'order size many times the symbol median',
      'opposite-side execution while the order rests',
      'fast cancellation',
      'repetition',
    ],
    riskLevel: 'high',
  },
  {
    type: 'layering',
    name: 'Layering',
    category: 'manipulation',
    description:
      'Several same-side orders at different price levels create false depth; after an opposite-side execution the layers are cancelled together.',
    indicators: ['orders at ≥ 3 price levels on one side', 'opposite-side execution', 'layers cancelled together'],
    riskLevel: 'high',
  },
  {
    type: 'volume_spike',
    name: 'Volume spike',
    category: 'anomaly',
    description: "Traded volume in a window far above the symbol's own robust baseline.",
    indicators: ['bucket volume ≥ 3× the median bucket (default)', 'robust z-score of log volume'],
    riskLevel: 'medium',
  },
  {
    type: 'price_anomaly',
    name: 'Price anomaly',
    category: 'anomaly',
    description:
      "A price move over a short window beyond a fixed threshold (15% by default) or extreme against the symbol's own volatility.",
    indicators: ['move from window low/high ≥ 15% (default)', "move in units of the symbol's own volatility"],
    riskLevel: 'medium',
  },
  {
    type: 'concentrated_trading',
    name: 'Concentrated trading',
    category: 'manipulation',
    description:
      "A few accounts dominate a symbol's volume in a window (Herfindahl–Hirschman index of account shares), a sign of possible control of supply or demand.",
    indicators: ['HHI of account volume shares', 'top account share'],
    riskLevel: 'medium',
  },
  {
    type: 'unusual_timing',
    name: 'Unusual timing',
    category: 'anomaly',
    description:
      "Trading at unusual times: marking the close or open, activity outside the symbol's session, or machine-like regular timing.",
    indicators: [
      'account share of volume near the close/open with a price move',
      'trades outside the configured session',
      'low variation of inter-trade gaps',
    ],
    riskLevel: 'medium',
  },
];
