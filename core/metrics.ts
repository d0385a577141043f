import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The hub's Prometheus metrics, on a registry of its own (several hubs in one test process do not collide). */
export interface HubMetrics {
  registry: Registry;
  jobs: Counter<'lane' | 'name' | 'outcome'>;
  queueDepth: Gauge<'lane' | 'state'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics(): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'omnihub_' });
  return {
    registry,
    jobs: new Counter({
      name: 'omnihub_jobs_total',
      help: 'Jobs processed, by lane, job name and outcome (completed, retried, dead)',
      labelNames: ['lane', 'name', 'outcome'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'omnihub_queue_jobs',
      help: 'Jobs in each lane by state, read from the queue at scrape time',
      labelNames: ['lane', 'state'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'omnihub_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
