import type { PatternType } from '../domain/alert.js';
import type { DetectorFactory } from './detector.js';
import { concentratedTrading } from './concentrated-trading/concentrated-trading.js';
import { layering } from './layering/layering.js';
import { priceAnomaly } from './price-anomaly/price-anomaly.js';
import { pumpAndDump } from './pump-and-dump/pump-and-dump.js';
import { spoofing } from './spoofing/spoofing.js';
import { unusualTiming } from './unusual-timing/unusual-timing.js';
import { volumeSpike } from './volume-spike/volume-spike.js';
import { washTrading } from './wash-trading/wash-trading.js';

/** Every detector, in the order they see each event. Add a detector here and nowhere else. */
export const DETECTORS: readonly DetectorFactory[] = [
  pumpAndDump,
  washTrading,
  spoofing,
  layering,
  volumeSpike,
  priceAnomaly,
  concentratedTrading,
  unusualTiming,
];

/** The detectors for the given patterns (all when none is named). */
export function detectorsFor(patterns?: readonly PatternType[]): readonly DetectorFactory[] {
  if (!patterns || patterns.length === 0) return DETECTORS;
  return DETECTORS.filter((d) => patterns.includes(d.pattern));
}

/** The registered factory of one pattern (threads rebuild their detectors from pattern names). */
export function registeredDetector(pattern: PatternType): DetectorFactory {
  const f = DETECTORS.find((d) => d.pattern === pattern);
  if (!f) throw new Error(`detector ${pattern} is not registered`);
  return f;
}
