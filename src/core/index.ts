/**
 * Koppel core: the dependency-free heart every connector and flow uses. Imports nothing from the
 * rest of src/ and no npm package (only node:crypto).
 */
export * from './errors.js';
export * from './codes.js';
export * from './record.js';
export * from './decimal.js';
export * from './money.js';
export * from './tax.js';
export * from './text.js';
export * from './sku.js';
export * from './ean.js';
export * from './email.js';
export * from './phone.js';
export * from './country.js';
export * from './address.js';
export * from './hash.js';
export * from './privacy.js';
export * from './limits.js';
export * from './model.js';
export * from './validate.js';
export * from './diff.js';
