// Audit routes: `GET /v1/audit/verify` walks the hash chain and checks every signed checkpoint (the ledger's and the
// home's checkpoint file) against the home's audit public key, the same report as `editledger audit verify`.
import type { FastifyInstance } from 'fastify';
import { declareRoute } from '../route-declaration.ts';
import type { ApiServices } from '../services.ts';

export function auditRoutes(app: FastifyInstance, services: ApiServices): void {
  app.get('/v1/audit/verify', {
    ...declareRoute(
      'read',
      'audit',
      'verify the hash chain and the signed checkpoints (the first broken position, if any)',
    ),
    handler: async () => ({ ...(await services.audit()), checkedAt: new Date().toISOString() }),
  });
}
