import { notAvailableYet, type Register } from '../context.js';

export const register: Register = (program, ctx) => {
  program
    .command('sandbox')
    .description('run the CCV and Shopify API simulators on their own')
    .action(() => notAvailableYet(ctx, 'koppel sandbox', 'the sandboxes are being built'));
};
