-- Orders waiting for a SKU mapping are retried when new variants or bindings appear; find them cheaply.
CREATE INDEX orders_needs_mapping ON orders (updated_at) WHERE state = 'needs_mapping';
