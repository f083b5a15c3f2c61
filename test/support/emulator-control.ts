/** The emulator's control API (CONTRACT.md §6), as tests drive the agent side. */
export class EmulatorControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  contacts(): Promise<{ contacts: { contactId: string; initialContactId: string; status: string; agentJoined: boolean }[] }> {
    return this.call('GET', '/contacts');
  }

  async transcript(contactId: string): Promise<Record<string, unknown>[]> {
    return (await this.call<{ items: Record<string, unknown>[] }>('GET', `/contacts/${contactId}/transcript`)).items;
  }

  agentJoin(contactId: string, displayName = 'Agent Smith'): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/agent/join`, { displayName });
  }

  agentSay(contactId: string, content: string, contentType = 'text/plain'): Promise<{ id: string; absoluteTime: string }> {
    return this.call('POST', `/contacts/${contactId}/agent/messages`, { content, contentType });
  }

  agentTyping(contactId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/agent/typing`, {});
  }

  agentRead(contactId: string, messageId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/agent/read`, { messageId });
  }

  agentLeave(contactId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/agent/leave`, {});
  }

  stop(contactId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/stop`, {});
  }

  expire(contactId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/expire`, {});
  }

  /** A transfer to another agent: a new ContactId (returned), the same InitialContactId. */
  transfer(contactId: string): Promise<{ contactId: string }> {
    return this.call('POST', `/contacts/${contactId}/transfer`, {});
  }

  redeliver(contactId: string, itemId: string): Promise<unknown> {
    return this.call('POST', `/contacts/${contactId}/redeliver`, { itemId });
  }

  dropSockets(contactId?: string, mode: 'close' | 'silent' = 'close'): Promise<unknown> {
    return this.call('POST', '/websockets/drop', { contactId, mode });
  }

  configure(config: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/config', config);
  }

  reset(): Promise<unknown> {
    return this.call('POST', '/reset', {});
  }
}
