-- Recall totals read "units received into a lot" (RECEIVED and PRODUCED ledger rows). A lot that
-- shipped to 100,000 customers also has 100,000 ALLOCATED rows, and this partial index keeps the
-- receipt sum independent of them. It costs nothing on the allocation hot path (those rows are
-- not in it). Partial indexes cannot be written in schema.prisma, so this migration is written
-- by hand (docs/decisions/040-recall-queries.md) and migrate diff between schema files ignores it.
-- (No semicolons in these comments: the migration runner splits statements on them.)
CREATE INDEX "ledger_entries_receipts_idx" ON "ledger_entries" ("shop_id", "lot_id") INCLUDE ("delta", "created_at")
  WHERE "kind" IN ('RECEIVED', 'PRODUCED');
