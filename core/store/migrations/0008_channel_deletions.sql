-- Products a merchant deleted on a channel (confirmed by a direct read). The hub does not list them there again
-- on its own: a deletion on the channel is a decision, not drift. The unlinked report shows them with the reason.
CREATE TABLE channel_deletions (
  connection   text NOT NULL,
  product_id   uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  external_id  text NOT NULL,
  deleted_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, product_id)
);
