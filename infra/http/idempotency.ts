// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): a retried request with the same key and the same
// body returns the first response and appends nothing; the same key with another body is a 409. The ledger is
// idempotent on its own (upstream refs and content hashes), so this cache only makes the RESPONSE repeat: it is
// in memory and bounded, and a restart falls back to the ledger's own idempotency.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.ts';

interface Entry {
  readonly bodyHash: string;
  readonly response: Promise<{ status: number; body: unknown }>;
}

const MAX_ENTRIES = 10_000;

export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  async run(
    request: FastifyRequest,
    principal: string,
    work: () => Promise<{ status: number; body: unknown }>,
  ): Promise<{ status: number; body: unknown }> {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return work();
    const id = `${principal}\u0000${request.url}\u0000${key}`;
    const bodyHash = createHash('sha256')
      .update(JSON.stringify(request.body) ?? '')
      .digest('hex');
    const known = this.entries.get(id);
    if (known !== undefined) {
      if (known.bodyHash !== bodyHash)
        throw new HttpProblem(409, 'idempotency_key_reused', 'this Idempotency-Key was used with another body');
      return known.response;
    }
    const response = work();
    this.entries.set(id, { bodyHash, response });
    // A failed request may be retried with the same key: forget it.
    response.catch(() => this.entries.delete(id));
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return response;
  }
}
