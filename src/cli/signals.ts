import type { Logger } from '../obs/log.js';

/** Graceful shutdown budget: after this the process exits regardless. */
export const SHUTDOWN_BUDGET_MS = 5000;
/**
 * Running jobs get this long to finish on a stop; then their abort signal, and they hand themselves
 * back (the engine waits as long again for that): the whole stop fits the budget.
 */
export const JOB_GRACE_MS = 1500;

/**
 * Resolves after SIGINT or SIGTERM once `stop` has finished. A second signal, or a stop that takes
 * longer than the budget, ends the process at once.
 */
export function untilSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((done) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        logger.warn('second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error(`shutdown took longer than ${SHUTDOWN_BUDGET_MS / 1000} s: exiting`);
        process.exit(1);
      }, SHUTDOWN_BUDGET_MS).unref();
      stop()
        .catch((e: unknown) => logger.error({ err: e }, 'error while shutting down'))
        .finally(() => {
          logger.info('stopped');
          done();
        });
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}
