import { changedFields } from './frontend-admin.service.js';
import type { Frontend } from './frontend.js';

const current: Frontend = {
  id: '00000000-0000-4000-8000-000000000000',
  name: 'Shop',
  publicKey: 'pk_x',
  allowedOrigins: ['https://a.com'],
  connect: { instanceId: 'i', contactFlowId: 'f', region: 'us-east-1', supportedContentTypes: ['text/plain'] },
  attributeKeys: [],
  retentionDays: null,
  redaction: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('changedFields', () => {
  it('lists only fields whose values differ, with connect fields by path', () => {
    expect(changedFields(current, { name: 'Shop', allowedOrigins: ['https://a.com'] })).toEqual([]);
    expect(changedFields(current, { name: 'Shop 2', retentionDays: null, connect: { region: 'eu-west-1', instanceId: 'i' } }))
      .toEqual(['name', 'connect.region']);
    expect(changedFields(current, { retentionDays: 7, redaction: { enabled: true, detectors: ['card'], patterns: [] } }))
      .toEqual(['retentionDays', 'redaction']);
  });
});
