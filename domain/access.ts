// Who may do what: the roles an API token carries and the operations each role grants. A business rule, so it lives
// here (pure) and every entry point (HTTP routes, the dashboard) asks the same table.
import { z } from 'zod';

export const RoleSchema = z.enum(['submitter', 'approver', 'auditor', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

/** The operations a route performs; every route names exactly one. */
export type Operation =
  | 'read' // edits, events, versions, status, jobs
  | 'submit' // submit and import corrections
  | 'retract' // retract and reinstate edits
  | 'approve' // approve or reject submitted edits (four-eyes review)
  | 'materialize' // materialize and verify jobs, generate
  | 'serve' // promote and roll back
  | 'report' // compliance reports
  | 'tokens' // create, list and revoke API tokens
  | 'erase'; // erase a data subject (GDPR Art. 17)

const GRANTS: Readonly<Record<Role, readonly Operation[]>> = {
  // Upstream systems: write corrections, read what became of them.
  submitter: ['read', 'submit', 'retract'],
  // Reviewers: build, verify and serve versions.
  approver: ['read', 'approve', 'materialize', 'serve', 'report'],
  // Auditors: read everything, write nothing.
  auditor: ['read', 'report'],
  // Operators: everything, including tokens.
  admin: ['read', 'submit', 'retract', 'approve', 'materialize', 'serve', 'report', 'tokens', 'erase'],
};

export function may(role: Role, operation: Operation): boolean {
  return GRANTS[role].includes(operation);
}

/** The operations a role may perform (what the dashboard shows controls for). */
export function grantsOf(role: Role): readonly Operation[] {
  return GRANTS[role];
}

/** The actor recorded on events written with a token: the token's name, marked as coming from a token. */
export function principalOf(tokenName: string): string {
  return `token:${tokenName}`;
}
