// Prometheus metrics (prom-client) for /metrics: requests by route and status, their latency, events appended
// through the API, versions materialized, and the trainer's lag. One registry per server, so tests stay apart.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly eventsAppended: Counter;
  readonly versionsMaterialized: Counter;
  readonly trainerLag: Gauge;
  readonly ingestion: Counter<'outcome'>;
  readonly inFlightBytes: Gauge;
  readonly kafkaLag: Gauge;
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'editledger_process_' });
  return {
    registry,
    requests: new Counter({
      name: 'editledger_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'editledger_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    eventsAppended: new Counter({
      name: 'editledger_events_appended_total',
      help: 'ledger events appended through the API',
      registers: [registry],
    }),
    versionsMaterialized: new Counter({
      name: 'editledger_versions_materialized_total',
      help: 'model versions materialized by this service',
      registers: [registry],
    }),
    trainerLag: new Gauge({
      name: 'editledger_trainer_lag_edits',
      help: 'edit events the trainer consumer has not materialized yet',
      registers: [registry],
    }),
    ingestion: new Counter({
      name: 'editledger_ingestion_records_total',
      help: 'corrections received by outcome (submitted, duplicate, rejected)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    inFlightBytes: new Gauge({
      name: 'editledger_http_request_bytes_in_flight',
      help: 'request body bytes being processed',
      registers: [registry],
    }),
    kafkaLag: new Gauge({
      name: 'editledger_kafka_consumer_lag',
      help: 'corrections on the Kafka topic not yet ingested (serve --kafka-topic)',
      registers: [registry],
    }),
  };
}
