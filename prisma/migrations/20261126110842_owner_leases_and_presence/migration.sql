-- Leases move from one row per chat to one row per gateway process, and browser presence to its own
-- table: neither is written to `chats` any more, so they never wait on (or hold up) the group commit's
-- row locks. Open chats are taken over by the first process to start on this schema.

-- CreateTable
CREATE TABLE "gateway_owners" (
    "id" TEXT NOT NULL,
    "alive_until" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_owners_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_presence" (
    "chat_id" UUID NOT NULL,
    "browser_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "chat_presence_pkey" PRIMARY KEY ("chat_id")
);

-- AddForeignKey
ALTER TABLE "chat_presence" ADD CONSTRAINT "chat_presence_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Keep what is known of presence for the chats still open.
INSERT INTO "chat_presence" ("chat_id", "browser_seen_at")
SELECT "id", "browser_seen_at" FROM "chats" WHERE "status" <> 'ended';

-- DropIndex
DROP INDEX "chats_status_lease_until_idx";

-- AlterTable
ALTER TABLE "chats" DROP COLUMN "browser_seen_at",
DROP COLUMN "lease_until";

-- CreateIndex
CREATE INDEX "chats_status_owner_id_idx" ON "chats"("status", "owner_id");

-- Room on each page for the group commit's last_seq updates to stay heap-only (no index entries).
ALTER TABLE "chats" SET (fillfactor = 70);
