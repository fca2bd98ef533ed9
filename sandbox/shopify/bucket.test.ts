import { describe, expect, it } from 'vitest';
import { LeakyBucket, PLAN_LIMITS } from './bucket.js';
import { parseRequiredAccess } from './registry.js';

describe('leaky bucket', () => {
  it('has the plan presets', () => {
    expect(PLAN_LIMITS.standard).toMatchObject({ restoreRate: 100, maximumAvailable: 2000 });
    expect(PLAN_LIMITS.advanced).toMatchObject({ restoreRate: 200, maximumAvailable: 4000 });
    expect(PLAN_LIMITS.plus).toMatchObject({ restoreRate: 1000, maximumAvailable: 20000 });
    expect(PLAN_LIMITS.enterprise).toMatchObject({ restoreRate: 2000, maximumAvailable: 40000 });
  });

  it('takes, refuses when short, refills with time and refunds', () => {
    let now = 0;
    const b = new LeakyBucket('standard', 1, () => now);
    expect(b.tryTake(1500)).toBe(true);
    expect(b.status().currentlyAvailable).toBe(500);
    expect(b.tryTake(600)).toBe(false);
    expect(b.status().currentlyAvailable).toBe(500);
    now = 1000;
    expect(b.status().currentlyAvailable).toBe(600);
    expect(b.tryTake(600)).toBe(true);
    b.refund(100);
    expect(b.status().currentlyAvailable).toBe(100);
    now = 100_000;
    expect(b.status().currentlyAvailable).toBe(2000);
  });

  it('scales the restore rate, not the bucket', () => {
    let now = 0;
    const b = new LeakyBucket('standard', 10, () => now);
    b.drain(2000);
    now = 1000;
    expect(b.status()).toEqual({ maximumAvailable: 2000, currentlyAvailable: 1000, restoreRate: 1000 });
    b.setPlan('plus');
    expect(b.status().maximumAvailable).toBe(20000);
    expect(() => new LeakyBucket('standard', 0, () => 0)).toThrow(/rateScale/);
  });
});


describe('requiredAccess parsing', () => {
  it('reads alternatives and combined scopes', () => {
    expect(parseRequiredAccess('`write_products` access scope. Also: The user must have a permission to create products.')).toEqual([['write_products']]);
    expect(parseRequiredAccess('`read_content` access scope or `read_online_store_pages` access scope.')).toEqual([['read_content'], ['read_online_store_pages']]);
    expect(parseRequiredAccess('`orders` access scope, `marketplace_orders` access scope or `buyer_membership_orders` access scope.')).toEqual([['orders'], ['marketplace_orders'], ['buyer_membership_orders']]);
    expect(parseRequiredAccess('`read_customers` and `read_orders` access scopes.')).toEqual([['read_customers', 'read_orders']]);
    expect(parseRequiredAccess('the same access level needed to mutate the owner resource.')).toBeNull();
  });
});
