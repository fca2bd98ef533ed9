/** CCV connector: the client, its rate budget, and the canonical reads and writes built on it. */
export { CcvClient, CCV_API_PREFIX, resourceOf, type CcvClientOptions, type CcvPage, type CcvRequestOptions, type CcvMediaType } from './client.js';
export { CcvRateBudget, DEFAULT_CCV_LIMITS, realClock, type CcvLimits, type Clock, type AcquireOptions } from './budget.js';
export { CcvApiError } from './errors.js';
export { ccvDate, ccvHash } from './sign.js';
export { ccvClientFromConfig, type CcvConnectionConfig } from './from-config.js';
export { probeCcv, type CcvProbe } from './probe.js';
