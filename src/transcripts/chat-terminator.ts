/**
 * Ends a live chat (upstream disconnect, browsers told, status ended) before a forced erase.
 * Provided by the sessions side when it exists; the staff API injects it as optional and otherwise
 * only marks the chat ended in the database.
 */
export const CHAT_TERMINATOR = Symbol('CHAT_TERMINATOR');

export interface ChatTerminator {
  endChat(chatId: string, reason: 'erased'): Promise<void>;
}
