import { TrustRule, conditionEntries } from './types';
import { MIN_SESSION_DURATION_SECONDS } from '../../constants';

const isRoleArn = (value: string) => /:role\/|:assumed-role\//.test(value);

/** A session assumed from another role's session is capped at one hour, whatever MaxSessionDuration says. */
export const ROLE_CHAINING_SESSION_DURATION: TrustRule = {
  id: 'RoleChainingSessionDuration',
  severity: 'warning',
  description: 'MaxSessionDuration is over one hour but the role is assumed by roles (role chaining caps sessions at one hour)',
  fix: 'Set maxSessionDuration to one hour, or have users (not role sessions) assume the role',
  check: role => {
    if (role.maxSessionDuration <= MIN_SESSION_DURATION_SECONDS) { return []; }
    const roleTrusted = role.statements.some(s => s.effect === 'Allow'
      && (s.aws.some(isRoleArn) || conditionEntries(s).some(c => c.key === 'aws:principalarn' && c.values.some(isRoleArn))));
    return roleTrusted
      ? [{ message: `MaxSessionDuration is ${role.maxSessionDuration} seconds, but role sessions that assume this role get at most 3600`, location: 'Properties/MaxSessionDuration' }]
      : [];
  },
};
