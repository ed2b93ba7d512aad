// The ceiling row of bench:api: a bare Fastify server (its default JSON parser, one POST route answering 201 with a
// small JSON body, no schemas, hooks, auth, metrics or storage) run as its own process like `editledger serve`.
// What it sustains on this machine, with the same client and connections, bounds what any Fastify route can do.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
let count = 0;
app.post('/v1/edits', async (request, reply) => {
  count += 1;
  const body = request.body as { factKey?: unknown };
  return reply.code(201).send({ editId: String(count), factKey: String(body.factKey), outcome: 'submitted' });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
