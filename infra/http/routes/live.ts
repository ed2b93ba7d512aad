// Live updates for the dashboard: GET /v1/events/stream, Server-Sent Events for every event appended from the moment
// the client connects (or after the position in Last-Event-ID, so a reconnecting client misses nothing). Each message
// names the event (position, type, stream), not its data: clients re-read what they show through the other routes,
// which keeps the stream's content the same as theirs (and under the same rules). A comment every 15 s keeps
// proxies from closing an idle stream; the subscription stops when the client goes away or the server stops.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import type { ApiServices } from '../services.ts';
import { openEventStream } from '../event-stream.ts';

const HEARTBEAT_MS = 15_000;

export const LiveHeadersSchema = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{1,15}$/, { error: 'must be a ledger position' })
    .optional(),
});

/** The SSE frame for one appended event. */
export function liveFrame(event: RecordedEvent): string {
  const data = { position: event.position, type: event.type, stream: event.stream, storedAt: event.storedAt };
  return `id: ${event.position}\nevent: ledger\ndata: ${JSON.stringify(data)}\n\n`;
}

export function liveRoutes(app: FastifyInstance, services: ApiServices): void {
  const open = new Set<() => void>();
  // Before the server stops accepting: an open stream would otherwise hold the graceful stop until its client left.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  app.withTypeProvider<ZodTypeProvider>().get('/v1/events/stream', {
    config: { operation: 'read' },
    schema: {
      summary:
        'Server-Sent Events: "ready" (data: the head) once, then "ledger" (data: position, type, stream) per appended event',
      tags: ['log'],
      headers: LiveHeadersSchema,
    },
    handler: async (request, reply) => {
      const resume = request.headers['last-event-id'];
      const head = await services.store.headPosition();
      const after = resume === undefined ? head : Math.min(Number(resume), head);
      const raw = openEventStream(reply);
      raw.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ head, after })}\n\n`);
      const subscription = services.store.subscribeToAll({
        after,
        onEvent: (event) => {
          raw.write(liveFrame(event));
        },
        onError: () => close(),
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        open.delete(close);
        clearInterval(heartbeat);
        void subscription.stop();
        raw.end();
      };
      open.add(close);
      request.raw.on('close', close);
    },
  });
}
