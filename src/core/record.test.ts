import { describe, expect, it } from 'vitest';
import { recordKey, recordKeyString, recordLabel, sameRecordKey, shortId } from './record.js';

describe('record keys and labels', () => {
  it('labels records for messages', () => {
    expect(recordLabel('product', recordKey('ccv', 555))).toBe('CCV product 555');
    expect(recordLabel('order', recordKey('shopify', 'gid://shopify/Order/820982911946154508'))).toBe('Shopify order 820982911946154508');
    expect(shortId('plain')).toBe('plain');
  });

  it('keys compare by system and id', () => {
    expect(recordKeyString(recordKey('ccv', 1))).toBe('ccv:1');
    expect(sameRecordKey(recordKey('ccv', 1), recordKey('ccv', '1'))).toBe(true);
    expect(sameRecordKey(recordKey('ccv', 1), recordKey('shopify', '1'))).toBe(false);
  });
});
