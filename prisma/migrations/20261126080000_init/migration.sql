-- CreateEnum
CREATE TYPE "ChatStatus" AS ENUM ('starting', 'active', 'ending', 'ended');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('admin', 'reviewer');

-- CreateTable
CREATE TABLE "frontends" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "secret_enc" TEXT NOT NULL,
    "allowed_origins" TEXT[],
    "connect_instance_id" TEXT NOT NULL,
    "connect_contact_flow_id" TEXT NOT NULL,
    "connect_region" TEXT NOT NULL,
    "supported_content_types" TEXT[],
    "attribute_keys" TEXT[],
    "retention_days" INTEGER,
    "redaction" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "frontends_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chats" (
    "id" UUID NOT NULL,
    "frontend_id" UUID NOT NULL,
    "status" "ChatStatus" NOT NULL DEFAULT 'starting',
    "display_name" TEXT NOT NULL,
    "customer_id" TEXT,
    "contact_id" TEXT NOT NULL,
    "current_contact_id" TEXT NOT NULL,
    "participant_id" TEXT,
    "participant_token_enc" TEXT,
    "connection_token_enc" TEXT,
    "connection_expires_at" TIMESTAMPTZ(3),
    "connect_instance_id" TEXT NOT NULL,
    "connect_region" TEXT NOT NULL,
    "supported_content_types" TEXT[],
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" TEXT,
    "transcript_incomplete" BOOLEAN NOT NULL DEFAULT false,
    "browser_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "owner_id" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "owner_epoch" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "chats_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_items" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "connect_item_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "content_type" TEXT,
    "content" TEXT,
    "participant_role" TEXT,
    "participant_id" TEXT,
    "display_name" TEXT,
    "absolute_time" TIMESTAMPTZ(3) NOT NULL,
    "attachments" JSONB,
    "client_message_id" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),
    "contact_id" TEXT,
    "search" tsvector,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_items_pkey" PRIMARY KEY ("chat_id","seq")
);

-- CreateTable
CREATE TABLE "staff_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "StaffRole" NOT NULL,
    "frontend_ids" UUID[],
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "staff_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "chat_id" UUID,
    "frontend_id" UUID,
    "ip" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "frontend_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "body_hash" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("frontend_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "frontends_public_key_key" ON "frontends"("public_key");

-- CreateIndex
CREATE UNIQUE INDEX "chats_contact_id_key" ON "chats"("contact_id");

-- CreateIndex
CREATE INDEX "chats_frontend_id_started_at_id_idx" ON "chats"("frontend_id", "started_at" DESC, "id");

-- CreateIndex
CREATE INDEX "chats_started_at_id_idx" ON "chats"("started_at" DESC, "id");

-- CreateIndex
CREATE INDEX "chats_status_lease_until_idx" ON "chats"("status", "lease_until");

-- CreateIndex
CREATE INDEX "chats_customer_id_idx" ON "chats"("customer_id");

-- CreateIndex
CREATE INDEX "chats_frontend_id_customer_id_status_idx" ON "chats"("frontend_id", "customer_id", "status");

-- CreateIndex
CREATE INDEX "chat_items_search_idx" ON "chat_items" USING GIN ("search");

-- CreateIndex
CREATE UNIQUE INDEX "chat_items_chat_id_connect_item_id_key" ON "chat_items"("chat_id", "connect_item_id");

-- CreateIndex
CREATE UNIQUE INDEX "chat_items_chat_id_client_message_id_key" ON "chat_items"("chat_id", "client_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "staff_tokens_token_hash_key" ON "staff_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "audit_entries_at_id_idx" ON "audit_entries"("at" DESC, "id");

-- CreateIndex
CREATE INDEX "audit_entries_actor_at_idx" ON "audit_entries"("actor", "at");

-- CreateIndex
CREATE INDEX "audit_entries_action_at_idx" ON "audit_entries"("action", "at");

-- CreateIndex
CREATE INDEX "audit_entries_chat_id_at_idx" ON "audit_entries"("chat_id", "at");

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- AddForeignKey
ALTER TABLE "chats" ADD CONSTRAINT "chats_frontend_id_fkey" FOREIGN KEY ("frontend_id") REFERENCES "frontends"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_items" ADD CONSTRAINT "chat_items_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;
