// What the report needs from a store: every catalogued ledger event (audit checkpoints and other non-catalogue
// streams are left out), and the chain verification of issue 12, reduced to what the report states.
import type { KeyObject } from 'node:crypto';
import type { ChainScope } from '../../domain/chain.ts';
import { LEDGER_EVENT_TYPES, parseRecordedEvent } from '../../domain/events.ts';
import type { PositionedEvent } from '../../domain/events.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { Verification } from '../../projections/compliance-report.ts';
import { auditLedger } from '../audit/audit-report.ts';
import type { AuditReport } from '../audit/audit-report.ts';

export async function readLedgerEvents(store: EventStore): Promise<PositionedEvent[]> {
  const events: PositionedEvent[] = [];
  for await (const recorded of store.readAll({ filter: { eventTypes: [...LEDGER_EVENT_TYPES] } }))
    events.push(parseRecordedEvent(recorded));
  return events;
}

export interface VerifyOptions {
  readonly publicKey?: KeyObject;
  readonly scope?: ChainScope;
}

/** The chain and checkpoint audit (infra/audit) as the report states it. */
export async function verifyForReport(store: EventStore, options: VerifyOptions = {}): Promise<Verification> {
  const audit = await auditLedger(store, {
    ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  });
  return verificationOf(audit);
}

/** An audit report (infra/audit) as the compliance report states it. */
export function verificationOf(audit: AuditReport): Verification {
  return {
    status: audit.ok ? 'intact' : 'broken',
    verifiedEvents: audit.chain.verified,
    headPosition: audit.chain.head.position,
    ...(audit.firstProblem === undefined ? {} : { firstProblem: { ...audit.firstProblem } }),
    checkpoints: audit.checkpoints.length,
    signatures: audit.signaturesChecked ? `checked with key ${audit.keyId ?? '?'}` : 'no public key given',
    warnings: [...audit.warnings],
  };
}
