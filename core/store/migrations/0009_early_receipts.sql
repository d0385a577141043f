-- Delivery receipts that arrive before the hub knows the channel's id of the message they are about: a channel's
-- status webhook can beat the answer to our own send. Applied when the send's answer lands; pruned after a day
-- (receipts of messages sent outside the hub, e.g. from the WhatsApp Business app, never match).
CREATE TABLE early_receipts (
  connection   text NOT NULL,
  external_id  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
  reason       text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection, external_id, status)
);
