#!/usr/bin/env node
// The Apache Kafka broker the tests and benches run (no Docker): its jars are resolved from Maven Central with
// Maven and kept in a cache folder OUTSIDE git, one folder per version.
//
//   node scripts/kafka-broker.mjs fetch    resolve org.apache.kafka:kafka_2.13 and its runtime dependencies into
//                                          the cache (idempotent: a complete folder is left alone); exit 1 on failure
//   node scripts/kafka-broker.mjs where    print {"version", "libs", "ready", "java", "mvn"} as JSON (no download)
//
// Env: EDITLEDGER_KAFKA_VERSION (default below), EDITLEDGER_KAFKA_CACHE (default ~/.cache/editledger), or
// XDG_CACHE_HOME. The tests (tests/helpers/kafka-broker.ts) ask `where` and start the broker from that folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// 4.x: KRaft only (no ZooKeeper) and KIP-896's removal of old protocol versions, which is what the client must meet.
const DEFAULT_VERSION = '4.4.0';
// Written last by `fetch`: its presence is what makes a folder complete (an interrupted copy is redone).
const MARKER = '.complete';

function say(message) {
  process.stderr.write(`kafka-broker: ${message}\n`);
}

export function brokerVersion() {
  return process.env.EDITLEDGER_KAFKA_VERSION?.trim() || DEFAULT_VERSION;
}

export function cacheRoot() {
  if (process.env.EDITLEDGER_KAFKA_CACHE?.trim()) return process.env.EDITLEDGER_KAFKA_CACHE.trim();
  const base = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'editledger');
}

function has(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

export function where() {
  const version = brokerVersion();
  const dir = join(cacheRoot(), `kafka-${version}`);
  const libs = join(dir, 'libs');
  return {
    version,
    libs,
    ready: existsSync(join(dir, MARKER)) && existsSync(libs),
    java: has('java', ['-version']),
    mvn: has('mvn', ['-v']),
  };
}

// A throwaway project whose only dependency is the broker: copy-dependencies then brings exactly its runtime
// closure (kafka-clients, kafka-server, raft, metadata, storage, ..., scala-library, jackson, log4j), plus tools.
function pomFor(version) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>editledger</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- The broker's own command-line tools: BrokerApiVersionsCommand (what the broker supports) and
         ProducerPerformance (its producer throughput, the bench's yardstick). -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- The broker logs through slf4j 1.7 (the API version it pulls in); without a binding it would say nothing about why it failed to start. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;
}

function fetch() {
  const info = where();
  if (info.ready) {
    say(`Kafka ${info.version} jars already in ${info.libs}`);
    return 0;
  }
  if (!info.java) say('warning: java is not on PATH; the broker will not start without a JDK 17+');
  if (!info.mvn) {
    say('mvn is not on PATH: cannot resolve the Kafka jars (Debian: apt-get install maven)');
    return 1;
  }
  const dir = join(cacheRoot(), `kafka-${info.version}`);
  const staging = join(dir, 'libs.partial');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const pom = join(dir, 'pom.xml');
  writeFileSync(pom, pomFor(info.version));
  say(`resolving org.apache.kafka:kafka_2.13:${info.version} with Maven into ${info.libs}`);
  const result = spawnSync(
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error !== undefined || result.status !== 0) {
    say(`mvn failed (${result.error?.message ?? `exit ${result.status}`}); nothing cached`);
    return 1;
  }
  const jars = readdirSync(staging).filter((name) => name.endsWith('.jar'));
  if (!jars.some((name) => name.startsWith(`kafka_2.13-${info.version}`))) {
    say(`mvn finished but kafka_2.13-${info.version}.jar is not in ${staging}`);
    return 1;
  }
  rmSync(info.libs, { recursive: true, force: true });
  renameSync(staging, info.libs);
  writeFileSync(join(dir, MARKER), `${jars.length} jars\n`);
  say(`cached ${jars.length} jars in ${info.libs}`);
  return 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const command = process.argv[2];
  if (command === 'fetch') process.exit(fetch());
  else if (command === 'where') process.stdout.write(`${JSON.stringify(where())}\n`);
  else {
    say('usage: node scripts/kafka-broker.mjs <fetch|where>');
    process.exit(2);
  }
}
