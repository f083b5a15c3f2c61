export type ChatStatus = 'starting' | 'active' | 'ending' | 'ended';

export type EndReason = 'customer' | 'agent' | 'stopped' | 'duration' | 'abandoned' | 'erased' | 'unknown';

/** A chat row as the owner side and the widget API see it. Tokens stay encrypted here. */
export interface ChatRecord {
  id: string;
  frontendId: string;
  status: ChatStatus;
  displayName: string;
  customerId: string | null;
  contactId: string;
  currentContactId: string;
  participantId: string | null;
  participantTokenEnc: string | null;
  connectionTokenEnc: string | null;
  connectionExpiresAt: Date | null;
  connectInstanceId: string;
  connectRegion: string;
  supportedContentTypes: string[];
  lastSeq: number;
  lastMessageAt: Date | null;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  transcriptIncomplete: boolean;
  ownerId: string | null;
  ownerEpoch: number;
}

export interface NewChat {
  frontendId: string;
  displayName: string;
  customerId: string | null;
  contactId: string;
  participantId: string;
  participantTokenEnc: string;
  connectInstanceId: string;
  connectRegion: string;
  supportedContentTypes: string[];
  ownerId: string;
}
