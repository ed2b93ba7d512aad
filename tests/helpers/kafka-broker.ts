// A real Apache Kafka broker for the tests and benches: one combined broker + controller (KRaft) on 127.0.0.1 at
// free ports, run from the jars that `node scripts/kafka-broker.mjs fetch` cached outside git. Its storage is
// formatted in a temporary folder; it runs in its own process group, which stop() (and this process's exit) kills.
//
// `kafkaForTests()` is what a test file calls: KAFKA_BROKERS (an external broker) wins; else the local broker is
// started; where Java or the jars are missing it returns the reason, for one clear SKIPPED line.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBrokers } from '../../infra/ingest/kafka-source.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'kafka-broker.mjs');
// The broker's own word that it serves clients (KafkaRaftServer logs it once both roles are up).
const STARTED = /Kafka Server started/;

interface Where {
  readonly version: string;
  readonly libs: string;
  readonly ready: boolean;
  readonly java: boolean;
  readonly mvn: boolean;
}

/** What the fetch script knows: the version, the cache folder, and whether java and the jars are there. */
export function brokerInstallation(): Where {
  const result = spawnSync(process.execPath, [SCRIPT, 'where'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${SCRIPT} where failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Where;
}

/** Why a local broker cannot run here, or undefined when it can. */
export function whyNoLocalBroker(where = brokerInstallation()): string | undefined {
  if (!where.java) return 'java is not on PATH (a JDK 17+ runs the broker)';
  if (!where.ready)
    return `the Kafka ${where.version} jars are not in ${where.libs} (run: node scripts/kafka-broker.mjs fetch${where.mvn ? '' : '; it needs mvn, which is not on PATH'})`;
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // One node: every internal topic has one replica; a handful of offsets partitions is created much faster.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // After a kill, the restarted broker registers anew only once the controller has expired the dead one's
    // session: 2 s instead of 9 s.
    'broker.session.timeout.ms=2000',
    'broker.heartbeat.interval.ms=500',
    // A consumer group forms as soon as its first member joins, not 3 s later.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'num.partitions=1',
    '',
  ].join('\n');
}

export interface LocalKafkaBroker {
  readonly version: string;
  /** host:port for clients. */
  readonly brokers: readonly string[];
  /** Where the broker's stdout/stderr go (read it when something failed). */
  readonly logPath: string;
  /** Kill the broker's process group at once (SIGKILL): a crash, with its data kept for restart(). */
  kill(): Promise<void>;
  /** Start it again on the same ports and data (after kill()). */
  restart(): Promise<void>;
  /** What the broker says it supports: lines like `Fetch(1): 4 to 18 [usable: 18]` (BrokerApiVersionsCommand). */
  apiVersions(): string[];
  /** Java's own producer benchmark (ProducerPerformance) against this broker: records/s it reports. */
  producerPerformance(topic: string, records: number, recordSize: number): number;
  /** Stop (SIGTERM, then SIGKILL after 10 s) and delete the data. */
  stop(): Promise<void>;
}

/** Format KRaft storage in a temp folder, start the broker at free ports and wait until it serves clients. */
export async function startLocalKafkaBroker(options: { startTimeoutMs?: number } = {}): Promise<LocalKafkaBroker> {
  const where = brokerInstallation();
  const missing = whyNoLocalBroker(where);
  if (missing !== undefined) throw new Error(`cannot start a local Kafka broker: ${missing}`);
  const classpath = join(where.libs, '*');
  const dir = mkdtempSync(join(tmpdir(), 'editledger-kafka-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const controllerPort = await freePort();
  const config = join(dir, 'server.properties');
  writeFileSync(config, serverProperties(dataDir, port, controllerPort));
  const logPath = join(dir, 'broker.log');
  const java = (main: string, args: string[], extra: string[] = []): string[] => [
    '-Xmx512m',
    '-XX:+UseSerialGC', // two shared cores: no parallel GC threads fighting the tests
    '-XX:TieredStopAtLevel=1', // starts faster; the tests need seconds of broker, not peak throughput
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info',
    ...extra,
    '-cp',
    classpath,
    main,
    ...args,
  ];
  const format = spawnSync(
    'java',
    java('kafka.tools.StorageTool', ['format', '-t', clusterId(), '-c', config, '--ignore-formatted']),
    { encoding: 'utf8' },
  );
  if (format.status !== 0) throw new Error(`kafka StorageTool format failed: ${format.stderr}${format.stdout}`);

  let child: ChildProcess | undefined;
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // A test process that dies must not leave a JVM behind.
  const onExit = (): void => killGroup('SIGKILL');
  process.on('exit', onExit);

  const launch = async (): Promise<void> => {
    // Only what this launch writes counts: after a restart the log already holds the first run's "started".
    const from = existsSync(logPath) ? statSync(logPath).size : 0;
    const out = openSync(logPath, 'a');
    child = spawn('java', java('kafka.Kafka', [config]), { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    const started = child;
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code, signal) =>
        reject(new Error(`the Kafka broker exited while starting (${signal ?? `code ${code}`}): ${tail(logPath)}`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    for (;;) {
      if (STARTED.test(readFileSync(logPath).subarray(from).toString('utf8'))) break;
      if (Date.now() > deadline) {
        killGroup('SIGKILL');
        throw new Error(
          `the Kafka broker did not start within ${options.startTimeoutMs ?? 90_000} ms: ${tail(logPath)}`,
        );
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
  };
  const waitExit = async (timeoutMs: number): Promise<boolean> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      running.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  };

  await launch();
  const bootstrap = `127.0.0.1:${port}`;
  return {
    version: where.version,
    brokers: [bootstrap],
    logPath,
    async kill() {
      killGroup('SIGKILL');
      await waitExit(10_000);
    },
    async restart() {
      await launch();
    },
    apiVersions() {
      const result = spawnSync(
        'java',
        java('org.apache.kafka.tools.BrokerApiVersionsCommand', ['--bootstrap-server', bootstrap]),
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`BrokerApiVersionsCommand failed: ${result.stderr}`);
      return result.stdout
        .split('\n')
        .map((line) => line.trim().replace(/,$/, ''))
        .filter((line) => /^\w+\(\d+\): /.test(line));
    },
    producerPerformance(topic, records, recordSize) {
      const result = spawnSync(
        'java',
        java('org.apache.kafka.tools.ProducerPerformance', [
          '--topic',
          topic,
          '--num-records',
          String(records),
          '--record-size',
          String(recordSize),
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${bootstrap}`,
        ]),
        { encoding: 'utf8' },
      );
      // Its last line: "N records sent, R records/sec (M MB/sec), ... avg latency, ..."
      const match = /(\d+) records sent, ([\d.]+) records\/sec/.exec(result.stdout);
      if (result.status !== 0 || match === null)
        throw new Error(`ProducerPerformance failed: ${result.stderr}${result.stdout}`);
      return Number(match[2]);
    },
    async stop() {
      process.off('exit', onExit);
      killGroup('SIGTERM');
      if (!(await waitExit(10_000))) {
        killGroup('SIGKILL');
        await waitExit(5_000);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints). */
function clusterId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log)';
  }
}

export type KafkaForTests =
  | { readonly kind: 'external' | 'local'; readonly brokers: readonly string[]; readonly local?: LocalKafkaBroker }
  | { readonly kind: 'skipped'; readonly reason: string };

/** KAFKA_BROKERS if set, else a local broker (started here), else why there is none. */
export async function kafkaForTests(): Promise<KafkaForTests> {
  const external = parseBrokers(process.env.KAFKA_BROKERS ?? '');
  if (external.length > 0) return { kind: 'external', brokers: external };
  const reason = whyNoLocalBroker();
  if (reason !== undefined) return { kind: 'skipped', reason };
  const local = await startLocalKafkaBroker();
  return { kind: 'local', brokers: local.brokers, local };
}
