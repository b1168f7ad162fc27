import type { AlertStatus } from '../domain/alert.js';
import { assertNever } from '../domain/events.js';
import type { CaseAction, CaseState } from './alert-store.js';

/** The columns a case action writes, computed the same way by every store implementation. */
export interface CaseUpdate {
  readonly state: CaseState;
  readonly note: string | null;
  /** Set only by a resolve action. */
  readonly resolvedBy?: string | undefined;
  readonly resolvedAt?: string | undefined;
  /** Set only by an escalate action. */
  readonly escalatedBy?: string | undefined;
  readonly escalatedAt?: string | undefined;
}

/** The case state after `action` (pure: the stores persist it and the audit entry together). */
export function applyCase(before: CaseState, action: CaseAction, by: string, atIso: string): CaseUpdate {
  switch (action.kind) {
    case 'assign':
      return { state: { ...before, assignee: action.assignee }, note: action.note ?? null };
    case 'comment':
      return { state: before, note: action.text };
    case 'escalate':
      return { state: { ...before, escalated: true }, note: action.note ?? null, escalatedBy: by, escalatedAt: atIso };
    case 'resolve': {
      const status: AlertStatus = action.resolution;
      return {
        state: { ...before, status, resolution: status, resolution_note: action.note ?? null },
        note: action.note ?? null,
        resolvedBy: by,
        resolvedAt: atIso,
      };
    }
    default:
      return assertNever(action, 'case action');
  }
}
