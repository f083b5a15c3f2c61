import type { Participant } from './contact-store.js';

/** One AWS API call after authentication: its parsed JSON body and, on participant routes, the caller. */
export interface OperationCall {
  raw: unknown;
  participant: Participant | undefined;
  /** `Host` the caller used, for URLs it must be able to reach. */
  host: string | undefined;
}

export type OperationHandler = (call: OperationCall) => object | Promise<object>;

/** Where clients reach this emulator: socket URLs and attachment URLs are built from these. */
export interface PublicBases {
  websocket(host: string | undefined): string;
  http(host: string | undefined): string;
}
