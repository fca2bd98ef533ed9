import { InvalidArgumentError } from 'commander';
import { createLogger } from '../../obs/log.js';
import { startSandboxes } from '../sandboxes.js';
import type { Register } from '../context.js';
import { untilSignal } from '../signals.js';

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`expected a whole number for ${name}`);
  return Number(v);
};

export const register: Register = (program, ctx) => {
  program
    .command('sandbox')
    .description('run the CCV and Shopify API simulators on their own')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--ccv-port <port>', 'CCV sandbox port (0 = any free port)', int('--ccv-port'), 4100)
    .option('--shopify-port <port>', 'Shopify sandbox port (0 = any free port)', int('--shopify-port'), 4200)
    .option('--seed <n>', 'seed of the demo data (same seed, same data)', int('--seed'), 1)
    .option('--products <n>', 'number of demo products in CCV', int('--products'), 500)
    .option('--dirty', 'add realistic bad records (duplicate and missing SKUs, invalid e-mails, ...)')
    .option('--plan <plan>', 'Shopify plan preset: standard, advanced, plus, enterprise', 'standard')
    .option('--rate-scale <x>', 'multiply every rate limit (faster benchmarks)', (v) => Number(v), 1)
    .option('--snapshot <dir>', 'keep both sandboxes\' state in this directory: loaded at start when there, saved every minute and on exit')
    .action(async (o: { host: string; ccvPort: number; shopifyPort: number; seed: number; products: number; dirty?: boolean; plan: 'standard'; rateScale: number; snapshot?: string }) => {
      const logger = createLogger({ level: 'info' });
      const sb = await startSandboxes({ ccv: true, shopify: true }, { host: o.host, ccvPort: o.ccvPort, shopifyPort: o.shopifyPort, seed: o.seed, products: o.products, dirty: o.dirty, plan: o.plan, rateScale: o.rateScale, snapshotDir: o.snapshot }, logger);
      ctx.out(`CCV sandbox      ${sb.ccv!.apiRoot}`);
      ctx.out(`  x-public       ${sb.ccv!.publicKey}`);
      ctx.out(`  secret key     ${sb.ccv!.secretKey}`);
      ctx.out(`  demo data      ${o.products} products, seed ${o.seed}${o.dirty ? ', with bad records' : ''}; test endpoints under ${sb.ccv!.origin}/__sandbox/`);
      ctx.out(`Shopify sandbox  ${sb.shopify!.graphqlUrl()}`);
      ctx.out(`  shop           ${sb.shopify!.shop} (plan ${o.plan})`);
      ctx.out(`  access token   ${sb.shopify!.accessToken}`);
      ctx.out(`  client id      ${sb.shopify!.clientId} (client-credentials grant at ${sb.shopify!.origin}/admin/oauth/access_token)`);
      ctx.out('These are sandbox credentials, not secrets. Ctrl-C stops both.');
      await untilSignal(logger, () => sb.close());
    });
};
