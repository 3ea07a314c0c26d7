-- CreateEnum
CREATE TYPE "EffectivenessLevel" AS ENUM ('A', 'B', 'C', 'D', 'E');

-- AlterTable
ALTER TABLE "recalls" ADD COLUMN     "effectiveness_level" "EffectivenessLevel",
ADD COLUMN     "effectiveness_percent" INTEGER;

-- CreateTable
CREATE TABLE "recall_drills" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "lot_number" TEXT NOT NULL,
    "variant_id" BIGINT,
    "started_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "recall_drills_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "recall_drills_shop_id_started_at_idx" ON "recall_drills"("shop_id", "started_at");


-- A percentage is chosen for level B only, and then it is "greater than 10 and less than 100" (21 CFR 7.42(b)(3)(ii)).
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_effectiveness_percent_check"
  CHECK ((effectiveness_level = 'B') = (effectiveness_percent IS NOT NULL) AND (effectiveness_percent IS NULL OR (effectiveness_percent > 10 AND effectiveness_percent < 100)));
