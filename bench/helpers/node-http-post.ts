// POST with node:http and a keep-alive agent: what bench:api used as its client before bench/helpers/http-load.ts,
// kept as one row of the table to show what such a client costs the machine.
import { Agent, request } from 'node:http';

export function nodeHttpPoster(
  url: string,
  token: string,
  sockets: number,
): (path: string, body: unknown, expect: number) => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return (path, body, expect) => {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (res.statusCode === expect) resolve();
            else reject(new Error(`POST ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}
