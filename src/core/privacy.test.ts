import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PERSONAL_FIELD_NAMES,
  maskEmail,
  maskFreeText,
  maskIdentifier,
  maskName,
  maskPersonalData,
  maskPhone,
  maskPostcode,
  maskRecordDiff,
  maskStreet,
  personalKindFor,
} from './privacy.js';

// Fixed seed, so every run checks the same cases (deterministic tests); set KOPPEL_FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.KOPPEL_FC_SEED ?? 20251129) });

describe('masks', () => {
  it('masks e-mail addresses as in the house example', () => {
    expect(maskEmail('jan.jansen@example.nl')).toBe('j***n@e***.nl');
    expect(maskEmail('jo@mail.example.co.uk')).toBe('j***@m***.uk');
    expect(maskEmail('not-an-address')).toBe('n***');
    expect(maskEmail('@x.nl')).toBe('@***');
  });

  it('masks names, phones, streets, postcodes, identifiers and free text', () => {
    expect(maskName('Jan van der Berg')).toBe('J*** v*** d*** B***');
    expect(maskName('  Émile  ')).toBe('É***');
    expect(maskPhone('+31 6 12345678')).toBe('+31*******78');
    expect(maskPhone('06-12345678')).toBe('06******78');
    expect(maskPhone('112')).toBe('***');
    expect(maskStreet('Kerkstraat 12-A')).toBe('K*** ***');
    expect(maskStreet('2e Hugo de Grootstraat 5')).toBe('*** H*** d*** G*** ***');
    expect(maskPostcode('1234 AB')).toBe('12** **');
    expect(maskPostcode('1234AB')).toBe('12****');
    expect(maskIdentifier('NL123456789B01')).toBe('NL**********01');
    expect(maskFreeText('Bel even aan bij de buren, 06-12345678')).toBe('[38 characters]');
  });

  it('property: masks never contain the hidden middle of the value', () => {
    const word = fc.stringMatching(/^[a-z]{6,20}$/);
    fc.assert(
      fc.property(word, word, (local, domain) => {
        const masked = maskEmail(`${local}@${domain}.nl`);
        expect(masked).not.toContain(local.slice(1, -1));
        expect(masked).not.toContain(domain.slice(1));
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{8,14}$/), (phone) => {
        const digits = phone.replace(/\D/g, '');
        expect(maskPhone(phone)).not.toContain(digits.slice(2, -2));
      }),
    );
  });

  it('chooses a mask by field name, hiding unknown fields completely', () => {
    expect(personalKindFor('email')).toBe('email');
    expect(personalKindFor('billingEmail')).toBe('email');
    expect(personalKindFor('mobile')).toBe('phone');
    expect(personalKindFor('zip')).toBe('postcode');
    expect(personalKindFor('whatever')).toBe('secret');
  });
});

describe('maskPersonalData', () => {
  it('masks the personal fields of a customer and leaves the rest readable', () => {
    const customer = {
      key: { system: 'ccv', id: '777' },
      email: 'jan.jansen@example.nl',
      firstName: 'Jan',
      lastName: 'Jansen',
      phone: '+31612345678',
      company: { name: 'Jansen Fietsen', vatNumber: 'NL123456789B01', cocNumber: '12345678' },
      addresses: [{ address1: 'Kerkstraat 12-A', houseNumber: 12, postcode: '1234 AB', city: 'Utrecht', countryCode: 'NL' }],
      tags: ['vip'],
    };
    expect(maskPersonalData(customer)).toEqual({
      key: { system: 'ccv', id: '777' },
      email: 'j***n@e***.nl',
      firstName: 'J***',
      lastName: 'J***',
      phone: '+31*******78',
      company: { name: 'J*** F***', vatNumber: 'NL**********01', cocNumber: '12****78' },
      addresses: [{ address1: 'K*** ***', houseNumber: '***', postcode: '12** **', city: 'Utrecht', countryCode: 'NL' }],
      tags: ['vip'],
    });
  });

  it('does not treat product or category names as personal', () => {
    expect(maskPersonalData({ name: 'T-shirts', title: 'T-shirt Jan' })).toEqual({ name: 'T-shirts', title: 'T-shirt Jan' });
  });
});

describe('maskRecordDiff', () => {
  it('masks personal values in a field diff, including nested ones', () => {
    const masked = maskRecordDiff([
      { path: 'email', before: 'jan@example.nl', after: 'jan.jansen@example.nl' },
      { path: 'addresses[0].postcode', before: '1234AB', after: '1234 AB' },
      { path: 'addresses[1]', before: null, after: { address1: 'Laan 3 bis', city: 'Zeist' } },
      { path: 'tags', before: ['a'], after: ['a', 'b'] },
      { path: 'note', before: '', after: 'geheim' },
    ]);
    expect(masked).toEqual([
      { path: 'email', before: 'j***n@e***.nl', after: 'j***n@e***.nl', masked: true }, // equal masks, different values
      { path: 'addresses[0].postcode', before: '12****', after: '12** **', masked: true },
      { path: 'addresses[1]', before: null, after: { address1: 'L*** *** b***', city: 'Zeist' }, masked: true },
      { path: 'tags', before: ['a'], after: ['a', 'b'], masked: false },
      { path: 'note', before: '', after: '[6 characters]', masked: true },
    ]);
  });

  it('takes the list of personal field names from the caller', () => {
    const d = [{ path: 'customer.reference', before: 'K-001', after: 'K-002' }];
    expect(maskRecordDiff(d)[0]?.after).toBe('K-002');
    expect(maskRecordDiff(d, ['reference'])[0]?.after).toBe('***');
    expect(maskRecordDiff([{ path: 'company.name', before: 'A', after: 'B' }], ['company.name'])[0]).toMatchObject({ before: 'A***', masked: true });
    expect(maskRecordDiff([{ path: 'category.name', before: 'A', after: 'B' }], ['company.name'])[0]).toMatchObject({ before: 'A', masked: false });
  });

  it('covers every default personal field name', () => {
    for (const name of PERSONAL_FIELD_NAMES) {
      const [c] = maskRecordDiff([{ path: `customer.${name}`, before: 'Jan Jansen 1234 AB', after: null }]);
      expect(c?.before).not.toBe('Jan Jansen 1234 AB');
    }
  });
});
