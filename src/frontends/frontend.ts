/** A front end: one website or app that embeds chat (CONTRACT.md §1). Domain types, no Prisma. */

import type { RedactionConfig } from '../transcripts/redaction.js';

/** Redaction settings of a front end; validated and applied by the transcripts module. */
export type { RedactionConfig };

export const CONTENT_TYPES = [
  'text/plain',
  'text/markdown',
  'application/json',
  'application/vnd.amazonaws.connect.message.interactive.response',
] as const;

/** Contact attributes the gateway sets itself; a front end can never let a browser set them. */
export const RESERVED_ATTRIBUTE_KEYS = ['gatewayFrontendId', 'gatewayCustomerId'] as const;

export interface ConnectRouting {
  instanceId: string;
  contactFlowId: string;
  region: string;
  supportedContentTypes: string[];
}

export interface Frontend {
  id: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  connect: ConnectRouting;
  attributeKeys: string[];
  retentionDays: number | null;
  redaction: RedactionConfig | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Everything an admin sets when creating a front end (keys are generated). */
export interface FrontendSettings {
  name: string;
  allowedOrigins: string[];
  connect: ConnectRouting;
  attributeKeys: string[];
  retentionDays: number | null;
  redaction: RedactionConfig | null;
}

/** A validated PATCH: only the fields given. `connect` is already merged over the current routing by the service. */
export interface FrontendPatch {
  name?: string;
  allowedOrigins?: string[];
  connect?: Partial<ConnectRouting>;
  attributeKeys?: string[];
  retentionDays?: number | null;
  redaction?: RedactionConfig | null;
}

/** A front end as the repository stores it: with its sealed (encrypted) secret. */
export interface StoredFrontend extends Frontend {
  secretEnc: string;
}
