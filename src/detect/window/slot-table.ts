import { stateClass } from '../../engine/snapshot.js';
import { StringIds } from '../../engine/string-ids.js';
import { DeadlineQueue } from './deadline-queue.js';
import { grownF64 } from './pool-chunks.js';

/**
 * A detector's symbols as slots: each symbol known gets a small dense number (reused once the
 * symbol is forgotten), and its fixed numbers are a row of `width` doubles in one shared column
 * (`f`, the row at slot × width) instead of an object and an array per symbol (~0.3 KB of headers
 * and heap numbers each). Window structures keep their per-symbol parts by slot too (slot-*.ts).
 *
 * Symbols idle for `idleMs` are forgotten (`forgetIdle`): the table keeps each one's latest trade
 * time and queues it under its idle deadline, so memory follows the active symbols.
 *
 * The slots are the symbols' ids in a `StringIds` (an open-addressing table: ≈ 24 B a symbol where
 * a `Map<string, number>` cost ≈ 70 B; an id is reused once its symbol is forgotten).
 */
export class SlotTable {
  private readonly slots = new StringIds();
  /** Symbols by idle deadline (lazy: an entry whose deadline is not the symbol's `due` is stale). */
  private readonly queue = new DeadlineQueue<string>();
  f = new Float64Array(0);
  /** Each slot's latest trade time, and the deadline it is queued under. */
  private lastTs = new Float64Array(0);
  private due = new Float64Array(0);

  constructor(
    /** Fixed numbers per symbol. */
    readonly width: number,
    private readonly idleMs: number,
  ) {}

  /** The symbol's slot, or −1 when it is not known. */
  slotOf(key: string): number {
    return this.slots.find(key);
  }

  /** A slot for a new symbol (its row's numbers are left to the caller to set). */
  add(key: string): number {
    const slot = this.slots.acquire(key);
    this.f = grownF64(this.f, (slot + 1) * this.width);
    this.lastTs = grownF64(this.lastTs, slot + 1);
    this.due = grownF64(this.due, slot + 1);
    this.lastTs[slot] = -Infinity;
    this.due[slot] = Infinity;
    return slot;
  }

  lastTsMs(slot: number): number {
    return this.lastTs[slot]!;
  }

  /** Records a trade of the symbol at `tsMs`; it is queued again only when its idle deadline comes earlier (a new symbol, a late trade). */
  touch(key: string, slot: number, tsMs: number): void {
    this.lastTs[slot] = tsMs;
    const due = tsMs + this.idleMs;
    if (due < this.due[slot]!) {
      this.due[slot] = due;
      this.queue.push(due, key);
    }
  }

  /**
   * Forgets the symbols idle for more than `idleMs` at `nowMs` (calling `drop` with each slot
   * first, to free what structures hold for it), looking only at those whose deadline passed: no
   * walk over all symbols per tick. A symbol that traded since is queued again at its new deadline
   * (never before `nowMs`, so the loop ends); the outcome does not depend on the visiting order.
   */
  forgetIdle(nowMs: number, drop: (slot: number) => void): void {
    const queue = this.queue;
    while (queue.peek() < nowMs) {
      const due = queue.peek();
      const key = queue.pop()!;
      const slot = this.slots.find(key);
      if (slot < 0 || this.due[slot] !== due) continue; // stale entry
      if (nowMs - this.lastTs[slot]! > this.idleMs) {
        drop(slot);
        this.slots.release(slot);
      } else {
        this.due[slot] = this.lastTs[slot]! + this.idleMs;
        queue.push(this.due[slot], key);
      }
    }
  }
}

/** Held in detector state, so checkpoints must know the class. */
stateClass(SlotTable);
