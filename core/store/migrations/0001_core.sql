-- The canonical model (DESIGN.md, "Canonical model"). Everything is keyed by the merchant's SKU at variant level.
-- Money is numeric, never float. Every table a worker writes twice under retries has a natural unique key, so a
-- replayed job is a no-op instead of a duplicate.

CREATE TABLE products (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title        jsonb NOT NULL DEFAULT '{}'::jsonb,        -- locale -> text
  description  jsonb NOT NULL DEFAULT '{}'::jsonb,        -- locale -> text (HTML allowed)
  brand        text,
  category     text,
  attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
  images       jsonb NOT NULL DEFAULT '[]'::jsonb,        -- [{url, sha256, position}]
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE variants (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id   uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  sku          text NOT NULL UNIQUE CHECK (sku <> ''),
  ean          text,                                       -- EAN/GTIN, the secondary match key
  title        jsonb NOT NULL DEFAULT '{}'::jsonb,
  attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,        -- e.g. {"size": "M", "colour": "red"}
  images       jsonb NOT NULL DEFAULT '[]'::jsonb,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draft', 'archived')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX variants_product ON variants (product_id);
CREATE INDEX variants_ean ON variants (ean) WHERE ean IS NOT NULL;

-- Base price per variant and currency; channel prices are derived by mappings/ rules.
CREATE TABLE prices (
  variant_id   uuid NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
  currency     char(3) NOT NULL,
  gross        numeric(14, 4) NOT NULL CHECK (gross >= 0),
  net          numeric(14, 4) NOT NULL CHECK (net >= 0),
  tax_rate     numeric(6, 4) NOT NULL CHECK (tax_rate >= 0),  -- 0.23 for 23 %
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (variant_id, currency)
);

CREATE TABLE promotions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key            text UNIQUE,                              -- stable name when defined in config (promotions as code)
  name           text NOT NULL,
  discount_type  text NOT NULL CHECK (discount_type IN ('percentage', 'amount', 'fixed_price')),
  discount_value numeric(14, 4) NOT NULL CHECK (discount_value >= 0),
  target         jsonb NOT NULL,                           -- {"all": true} | {"skus": [...]} | {"categories": [...]}
  channels       text[] NOT NULL DEFAULT '{}',             -- connection names; empty = every connection
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  time_zone      text NOT NULL,
  priority       integer NOT NULL DEFAULT 0,
  status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'active', 'ended', 'cancelled')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);

CREATE TABLE locations (
  id          text PRIMARY KEY,                            -- the merchant's code, e.g. "main-warehouse"
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The stock ledger is the source of truth: one row per movement, keyed by its origin so a replay is a no-op.
CREATE TABLE stock_ledger (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin       text NOT NULL UNIQUE,                       -- e.g. "shop:order:1042:line:7", "erp:quant:88:v12"
  variant_id   uuid NOT NULL REFERENCES variants(id),
  location_id  text NOT NULL REFERENCES locations(id),
  quantity     integer NOT NULL,                           -- signed delta
  kind         text NOT NULL CHECK (kind IN ('order_line', 'cancellation', 'refund', 'return', 'correction', 'initial', 'adjustment')),
  connection   text,
  order_id     uuid,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_ledger_variant ON stock_ledger (variant_id, location_id);

-- On-hand balance per variant and location, kept equal to the ledger's sum in the same transaction as each entry.
CREATE TABLE stock_levels (
  variant_id   uuid NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
  location_id  text NOT NULL REFERENCES locations(id),
  on_hand      integer NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (variant_id, location_id)
);

CREATE TABLE reservations (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin       text NOT NULL UNIQUE,
  variant_id   uuid NOT NULL REFERENCES variants(id),
  location_id  text REFERENCES locations(id),
  quantity     integer NOT NULL CHECK (quantity > 0),
  order_id     uuid,
  expires_at   timestamptz,
  released_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_open ON reservations (variant_id) WHERE released_at IS NULL;

CREATE TABLE customers (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name  text,
  email         text,
  phone         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per identity on one channel. Identities are linked to a customer on strong keys only (verified phone,
-- e-mail) and can be unlinked again: `linked_by` says why they were joined.
CREATE TABLE customer_identities (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id   uuid REFERENCES customers(id) ON DELETE SET NULL,
  connection    text NOT NULL,
  external_id   text NOT NULL,                             -- e.g. WhatsApp business-scoped user id, Messenger PSID
  display_name  text,
  email         text,
  phone         text,
  verified      boolean NOT NULL DEFAULT false,
  linked_by     text,                                      -- 'email' | 'phone' | 'manual'
  linked_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection, external_id)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE orders (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection    text NOT NULL,
  external_id   text NOT NULL,
  number        text,
  status        text NOT NULL,                             -- channel status mapped to: open, paid, fulfilled, cancelled, refunded
  state         text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'needs_mapping')),
  customer_id   uuid REFERENCES customers(id),
  currency      char(3),
  total         numeric(14, 4),
  placed_at     timestamptz,
  channel_updated_at timestamptz,
  raw           jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE order_lines (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id         uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  external_line_id text NOT NULL,
  sku              text,
  variant_id       uuid REFERENCES variants(id),
  title            text,
  quantity         integer NOT NULL CHECK (quantity >= 0),
  unit_price       numeric(14, 4),
  state            text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'needs_mapping')),
  UNIQUE (order_id, external_line_id)
);

-- (connection, kind, external id) <-> internal id. Items that cannot be linked stay here as unlinked/ambiguous
-- with the reason, and are listed; nothing is skipped silently.
CREATE TABLE bindings (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection       text NOT NULL,
  kind             text NOT NULL,                          -- 'product' | 'variant' | 'order' | 'conversation' | …
  external_id      text NOT NULL,
  internal_id      uuid,
  link_state       text NOT NULL CHECK (link_state IN ('linked', 'unlinked', 'ambiguous')),
  link_reason      text,
  origin           text NOT NULL,                          -- 'auto:sku' | 'auto:ean' | 'created' | 'manual' | …
  last_pushed_hash text,
  last_seen_hash   text,
  last_pushed_at   timestamptz,
  last_seen_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection, kind, external_id),
  CHECK ((link_state = 'linked') = (internal_id IS NOT NULL))
);
CREATE UNIQUE INDEX bindings_internal ON bindings (connection, kind, internal_id) WHERE link_state = 'linked';
CREATE INDEX bindings_unlinked ON bindings (connection, kind) WHERE link_state <> 'linked';

-- What a channel shows that differs from what it should, per entity and field; one open row per field.
CREATE TABLE drift (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection    text NOT NULL,
  kind          text NOT NULL,
  internal_id   uuid,
  external_id   text,
  sku           text,
  field         text NOT NULL,
  field_group   text NOT NULL,
  expected      jsonb,
  actual        jsonb,
  detected_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at   timestamptz,
  resolution    text                                       -- 'overwritten' | 'adopted' | 'converged'
);
CREATE UNIQUE INDEX drift_open ON drift (connection, kind, coalesce(internal_id::text, external_id), field) WHERE resolved_at IS NULL;

-- Durable webhook/poll event dedup by (connection, event id).
CREATE TABLE inbound_events (
  connection   text NOT NULL,
  event_id     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, event_id)
);
CREATE INDEX inbound_events_age ON inbound_events (received_at);

-- Poll cursors and watermarks per connection.
CREATE TABLE checkpoints (
  connection   text NOT NULL,
  name         text NOT NULL,
  value        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, name)
);

-- Health of each connection as the hub sees it: needs_reauth pauses its sends until an operator acts.
CREATE TABLE connection_state (
  connection    text PRIMARY KEY,
  status        text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reauth', 'paused', 'failing')),
  status_reason text,
  last_hint_at  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection          text NOT NULL,
  external_thread_id  text NOT NULL,
  identity_id         uuid REFERENCES customer_identities(id),
  customer_id         uuid REFERENCES customers(id),
  subject             text,
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved')),
  assignee            text,
  order_id            uuid REFERENCES orders(id),
  variant_id          uuid REFERENCES variants(id),
  last_message_at     timestamptz,
  last_customer_message_at timestamptz,                    -- drives channel reply windows (WhatsApp, Messenger)
  unread_count        integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection, external_thread_id)
);
CREATE INDEX conversations_recent ON conversations (last_message_at DESC);

CREATE TABLE messages (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  external_id      text,
  direction        text NOT NULL CHECK (direction IN ('in', 'out', 'note')),
  author           text,
  body             text NOT NULL DEFAULT '',
  attachments      jsonb NOT NULL DEFAULT '[]'::jsonb,
  delivery_status  text CHECK (delivery_status IN ('pending', 'sent', 'delivered', 'read', 'failed')),
  failure_reason   text,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  search           tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(body, ''))) STORED
);
CREATE UNIQUE INDEX messages_external ON messages (conversation_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_search ON messages USING gin (search);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

-- Jobs that exhausted their retries. Nothing is dropped: each can be replayed from the CLI or the console.
CREATE TABLE dead_letters (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue         text NOT NULL,
  job_name      text NOT NULL,
  job_id        text,
  data          jsonb NOT NULL,
  error         text NOT NULL,
  attempts      integer NOT NULL,
  failed_at     timestamptz NOT NULL DEFAULT now(),
  replayed_at   timestamptz,
  replay_job_id text
);
CREATE INDEX dead_letters_open ON dead_letters (failed_at) WHERE replayed_at IS NULL;

CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,                             -- 'system', 'cli', a user name, a connection name
  action        text NOT NULL,
  subject_kind  text,
  subject_id    text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
