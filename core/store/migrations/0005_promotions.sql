-- Promotions (issue #9). Config promotions are upserted into `promotions` by key; `definition_hash` tells a changed
-- definition at start, `status` is the state the scheduler last acted on (a difference after downtime = act now).
ALTER TABLE promotions ADD COLUMN definition_hash text;
ALTER TABLE promotions ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now();

-- How overlapping promotions combine, as last read from config (one row).
CREATE TABLE promotion_settings (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  combine     text NOT NULL CHECK (combine IN ('best_for_customer', 'highest_priority')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- What a channel that schedules promotions itself (Facebook sale_price, PrestaShop specific_prices) holds per
-- variant: the stretch pushed ahead of time, so nothing is pushed twice and a stale one can be removed.
CREATE TABLE promotion_pushes (
  connection     text NOT NULL,
  variant_id     uuid NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
  sku            text NOT NULL,
  external_id    text NOT NULL,
  promotion_key  text NOT NULL,
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  price          jsonb NOT NULL,
  regular        jsonb NOT NULL,
  hash           text NOT NULL,
  pushed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, variant_id)
);
CREATE INDEX promotion_pushes_key ON promotion_pushes (promotion_key);
