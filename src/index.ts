export * from './external-id-trust';
export * from './cross-account-role';
export * from './assume-role-policy';
export * from './assumers';
export * from './cross-account-role-pair';
export * from './assume-role-monitor';
export * from './trust-checks';
export * from './cross-account-role-fanout';
