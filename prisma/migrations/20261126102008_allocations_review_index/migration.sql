-- The review queue (allocations list --unknown, the admin panel's review page) pages through the
-- live unknown-lot allocations of a shop by id. A shop with a million allocations has only a
-- handful of those, and this partial index finds them without reading the others. Partial indexes
-- cannot be written in schema.prisma, so this migration is written by hand (docs/decisions/030-allocation.md).
-- (No semicolons in these comments: the migration runner splits statements on them.)
CREATE INDEX "allocations_review_idx" ON "allocations" ("shop_id", "id") WHERE "unknown_lot" AND "status" = 'ALLOCATED';
