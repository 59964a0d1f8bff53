/** Injection token of the QuotaStore (null without a quota store configured). */
export const QUOTA_STORE = Symbol('QUOTA_STORE');
