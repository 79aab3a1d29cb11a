import { TrustRule, location, requiresKey } from './types';

/**
 * Services whose documentation tells to put aws:SourceAccount or aws:SourceArn
 * in the trust policy of the role they assume, against the cross-service
 * confused deputy.
 */
export const SOURCE_CONDITION_SERVICES = [
  'scheduler.amazonaws.com',
  'pipes.amazonaws.com',
  'sagemaker.amazonaws.com',
  'transfer.amazonaws.com',
  'appsync.amazonaws.com',
  'datasync.amazonaws.com',
  'iot.amazonaws.com',
  'ssm.amazonaws.com',
];

const SOURCE_KEYS = ['aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID'];

/** A service that acts for many customers can be made to use this role for someone else. */
export const SERVICE_WITHOUT_SOURCE_CONDITION: TrustRule = {
  id: 'ServiceWithoutSourceCondition',
  severity: 'warning',
  description: 'A service principal that supports aws:SourceAccount / aws:SourceArn is trusted without them',
  fix: 'Add StringEquals aws:SourceAccount <your account> (or ArnLike aws:SourceArn <the resource>) to the trust statement',
  appliesTo: ['service'],
  check: role => role.statements.flatMap((s, i) => {
    if (s.service.length === 0) { return []; }
    const services = s.service.filter(svc => SOURCE_CONDITION_SERVICES.includes(svc.replace(/\.amazonaws\.com\.cn$/, '.amazonaws.com')));
    return s.effect === 'Allow' && services.length > 0 && !SOURCE_KEYS.some(key => requiresKey(s, key))
      ? [{ message: `${services.join(', ')} trusted without aws:SourceAccount or aws:SourceArn (cross-service confused deputy)`, location: location(i) }]
      : [];
  }),
};
