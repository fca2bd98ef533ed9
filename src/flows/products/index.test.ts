import { describe, expect, it } from 'vitest';
import { stockPassAfter } from './index.js';

describe('the stock pass a products run queues', () => {
  it('none when nothing changed, a pass for a few new products, a reconcile after a first load', () => {
    expect(stockPassAfter({ created: 0, updated: 0 })).toBeUndefined();
    expect(stockPassAfter({ created: 0, updated: 3 })).toBe('delta');
    expect(stockPassAfter({ created: 249, updated: 0 })).toBe('delta');
    expect(stockPassAfter({ created: 250, updated: 0 })).toBe('full');
  });
});
