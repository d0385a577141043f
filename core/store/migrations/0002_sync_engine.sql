-- Durable "this needs work" requests, drained by one job per (connection, lane). A burst of changes to one entity
-- is one row (coalescing); a change arriving while a drain runs stays as a newer row and is picked up next
-- (no lost updates); rows survive crashes of workers and of the queue's store.
CREATE TABLE sync_requests (
  connection    text NOT NULL,
  lane          text NOT NULL CHECK (lane IN ('inbound', 'outbound')),
  entity_kind   text NOT NULL,        -- inbound: the hint kind; outbound: 'product' | 'order'
  entity_id     text NOT NULL,        -- inbound: external id; outbound: internal id
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  priority      smallint NOT NULL DEFAULT 5,   -- lower first: orders (1) before catalogue (5)
  requested_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  PRIMARY KEY (connection, lane, entity_kind, entity_id)
);
CREATE INDEX sync_requests_drain ON sync_requests (connection, lane, priority, requested_at);

-- What the hub last wrote to (or saw on) a channel, per field group: hash and value, for diffing and for
-- compare-and-set. Parked items carry the channel's reason until an operator replays them.
ALTER TABLE bindings
  ADD COLUMN pushed jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN seen jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN parked_reason text,
  ADD COLUMN product_external_id text,
  ADD COLUMN sku text;
CREATE INDEX bindings_sku ON bindings (connection, kind, sku);

-- Per-connection secrets obtained at run time (OAuth refresh tokens), encrypted with OMNIHUB_SECRET_KEY.
CREATE TABLE vault (
  connection  text NOT NULL,
  name        text NOT NULL,
  ciphertext  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, name)
);

-- Default location for stock that arrives without one (single-warehouse shops).
INSERT INTO locations (id, name) VALUES ('default', 'Default location') ON CONFLICT DO NOTHING;
