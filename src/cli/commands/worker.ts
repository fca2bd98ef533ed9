import { notAvailableYet, type Register } from '../context.js';

export const register: Register = (program, ctx) => {
  program
    .command('worker')
    .description('run as a scale-out worker that shares jobs through PostgreSQL')
    .action(() => notAvailableYet(ctx, 'koppel worker', 'it arrives with the pg-boss job engine'));
};
