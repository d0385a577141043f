-- What the hub did, per entity, for the console's timeline: a hint arrived, a sync request was processed, a
-- connector capability was called (with its per-item results), a failure was classified. Bounded: the maintenance
-- job deletes rows older than the retention. Rows name channel ids (connection + external id) and hub ids as they
-- were known at the time; the timeline joins them to an entity through bindings when it is read.
CREATE TABLE activity (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  connection   text,
  step         text NOT NULL CHECK (step IN ('hint', 'job', 'call', 'result')),
  entity_kind  text,                                       -- 'product' | 'variant' | 'stock' | 'order' | 'conversation' | 'delivery'
  external_id  text,                                       -- the channel's id of the entity
  internal_id  text,                                       -- the hub's id (product, variant, order, conversation uuid)
  skus         text[] NOT NULL DEFAULT '{}',
  outcome      text NOT NULL,                              -- 'ok' | 'retryable' | 'business' | 'auth' | 'not_found' | …
  summary      text NOT NULL,
  duration_ms  integer,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX activity_at ON activity (at);
CREATE INDEX activity_external ON activity (connection, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX activity_internal ON activity (internal_id) WHERE internal_id IS NOT NULL;
CREATE INDEX activity_skus ON activity USING gin (skus);
-- "degraded" health looks at each connection's recent retryable failures.
CREATE INDEX activity_failures ON activity (connection, at) WHERE outcome = 'retryable';
