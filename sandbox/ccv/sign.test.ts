import { describe, expect, it } from 'vitest';
import { ccvDate, ccvHash, signRequest, uriOf, verifyResponseSignature } from './sign.js';

describe('CCV signing', () => {
  it('matches HMAC-SHA512 vectors computed independently with openssl', () => {
    // printf 'demo|GET|/api/rest/v1/products/||2025-01-01T10:00:00Z' | openssl dgst -sha512 -hmac demo
    expect(ccvHash('demo', 'demo', 'GET', '/api/rest/v1/products/', '', '2025-01-01T10:00:00Z')).toBe(
      '5dbb60792f94e3539f3b857e9ef8342560912b4bc0a3a959513f6d9d71505f252eb1be29723e3d55dd2803e26883be4186e16602d20ec723ff7877aea2c1233b',
    );
    expect(ccvHash('s3cr3t', 'pub', 'post', '/api/rest/v1/orders?x=1', '{"a":1}', '2025-01-01T10:00:00+00:00')).toBe(
      '9b13440b58c0b598243730f91d509584c0e0390d7ac2a8df6f1d626fbee726ff28a495baa4f0a7768a9e036a77d9803e0ab3e040fa5cb23954ffe0dde7f60705',
    );
  });

  it('formats dates without milliseconds and takes the URI with its query from absolute URLs', () => {
    expect(ccvDate(Date.UTC(2025, 0, 1, 10, 0, 0, 999))).toBe('2025-01-01T10:00:00Z');
    expect(uriOf('https://shop.example/api/rest/v1/products?start=0&size=25#x')).toBe('/api/rest/v1/products?start=0&size=25');
    expect(uriOf('/api/rest/v1/products/')).toBe('/api/rest/v1/products/');
  });

  it('signs requests and verifies response signatures', () => {
    const keys = { publicKey: 'p', secretKey: 's' };
    const h = signRequest(keys, 'GET', 'http://x/api/rest/v1/products', '', Date.UTC(2025, 0, 1));
    expect(h['x-public']).toBe('p');
    expect(h['x-hash']).toMatch(/^[0-9a-f]{128}$/);
    const body = '{"ok":true}';
    const date = '2025-01-01T00:00:01Z';
    const headers = new Headers({ 'x-date': date, 'x-hash': ccvHash('s', 'p', 'GET', '/api/rest/v1/products', body, date) });
    expect(verifyResponseSignature(keys, 'GET', 'http://x/api/rest/v1/products', body, headers)).toBe(true);
    expect(verifyResponseSignature(keys, 'GET', 'http://x/api/rest/v1/products', `${body} `, headers)).toBe(false);
    expect(verifyResponseSignature(keys, 'GET', 'http://x/api/rest/v1/products', body, new Headers())).toBe(false);
  });
});
