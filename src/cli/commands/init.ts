import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configTemplate } from '../../config/template.js';
import { EXIT, ExitError, type Register } from '../context.js';

/** schema/koppel.schema.json inside the installed package, from src/ or dist/src/. */
function schemaFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSrc = resolve(here, '../../../schema/koppel.schema.json');
  return existsSync(fromSrc) ? fromSrc : resolve(here, '../../../../schema/koppel.schema.json');
}

export const register: Register = (program, ctx) => {
  program
    .command('init')
    .description('write a commented koppel.yaml with editor autocompletion')
    .argument('[file]', 'where to write it', 'koppel.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .action((file: string, opts: { force?: boolean }) => {
      const target = resolve(ctx.cwd, file);
      if (existsSync(target) && !opts.force) {
        throw new ExitError(EXIT.failed, `koppel: ${target} already exists; use --force to overwrite it`);
      }
      let ref = relative(dirname(target), schemaFile()).split('\\').join('/');
      if (!ref.startsWith('.')) ref = './' + ref;
      writeFileSync(target, configTemplate(ref));
      ctx.out(`wrote ${target}`);
      ctx.out('next: fill in your connections (secrets as ${env:NAME}), then run "koppel doctor"');
    });
};
