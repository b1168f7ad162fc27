import type { Level } from './alert.js';

/**
 * The one documented mapping from a finding's scores to its level (docs/DETECTORS.md).
 * Severity weighs harm by certainty: a harmful but doubtful pattern is not critical.
 *   severity = risk_score × (0.5 + 0.5 × confidence)
 *   critical ≥ 0.75, high ≥ 0.55, medium ≥ 0.35, otherwise low.
 */
export function levelFor(confidence: number, riskScore: number): Level {
  const severity = riskScore * (0.5 + 0.5 * confidence);
  if (severity >= 0.75) return 'critical';
  if (severity >= 0.55) return 'high';
  if (severity >= 0.35) return 'medium';
  return 'low';
}

/** Clamps a score into 0..1 and rounds it to 4 decimals, so stored scores are stable across runs. */
export function score01(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return Math.round(Math.min(1, Math.max(0, x)) * 1e4) / 1e4;
}
