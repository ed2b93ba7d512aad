// Flags several commands declare alike: who acts, why, and a ledger position.
import { POSITION } from './flag-spec.ts';

/** --by NAME: the actor recorded on the events; `who` says what they do, e.g. "who retracts it". */
export function byFlag(who: string) {
  return {
    type: 'string',
    placeholder: 'NAME',
    description: `${who} (default: $EDITLEDGER_ACTOR, else $USER)`,
  } as const;
}

/** --reason TEXT where a decision must say why. */
export const REQUIRED_REASON = { type: 'string', required: true, description: 'why (kept in the ledger)' } as const;

/** A ledger position flag (an integer >= 0). */
export function positionFlag(description: string) {
  return { type: 'integer', placeholder: 'POSITION', check: POSITION, description } as const;
}
