import { eachAllow, ResourceRule, targetsText } from './types';
import { accountOf, conditionEntries, deployTimeAccountOrigin, isDeployTime, PolicyStatement, requiresKey, requiresPrincipalArn } from '../rules/types';

/** A principal that stands for a whole account: its ID, its root, or a deploy-time value (a parameter holding either). */
const wholeAccount = (principal: string) => /^\d{12}$/.test(principal) || /^arn:[^:]+:iam::[^:]+:root$/.test(principal) || isDeployTime(principal);

/** The whole accounts a statement names: in `Principal`, or, for `Principal: "*"`, in a required `aws:PrincipalAccount`. */
function wholeAccounts(s: PolicyStatement): string[] {
  const byCondition = s.anyPrincipal && requiresKey(s, 'aws:PrincipalAccount')
    ? conditionEntries(s).filter(c => c.key === 'aws:principalaccount').flatMap(c => c.values) : [];
  return [...s.aws.filter(wholeAccount), ...byCondition];
}

/**
 * A Lambda permission holds a principal and no condition that could narrow
 * an account to some of its principals (`PrincipalOrgID` narrows nothing for
 * an account): sharing a function with an account is all there is, so the
 * rule leaves Lambda permissions alone (`CrossAccountGrants.functionInvoke`
 * warns at synth when its grantee is a role or user).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
 */
const CANNOT_NARROW = ['AWS::Lambda::Permission'];

/**
 * A resource policy that names another account whole, with neither an
 * organisation guard nor `aws:PrincipalArn`: every principal that account
 * lets use the resource may, and the account decides who that is.
 */
export const RESOURCE_POLICY_UNGUARDED_ACCOUNT: ResourceRule = {
  id: 'ResourcePolicyUnguardedAccount',
  severity: 'warning',
  description: 'A resource policy grants another account whole, with no organisation guard (aws:PrincipalOrgID, aws:PrincipalOrgPaths) nor aws:PrincipalArn',
  fix: 'Narrow the statement to the principals meant with ArnEquals aws:PrincipalArn (CrossAccountGrants writes it), '
    + 'or to your organisation with aws:PrincipalOrgID',
  kind: 'resource',
  check: policy => CANNOT_NARROW.includes(policy.type) ? [] : eachAllow(policy, s => {
    if (requiresKey(s, 'aws:PrincipalOrgID') || requiresKey(s, 'aws:PrincipalOrgPaths') || requiresPrincipalArn(s)) { return undefined; }
    const named = wholeAccounts(s);
    const others = Array.from(new Set(named.map(accountOf).filter((a): a is string => a !== undefined && a !== policy.account)));
    const deployTime = Array.from(new Set(named.map(deployTimeAccountOrigin).filter((o): o is string => o !== undefined)));
    const parts = [
      ...others.length > 0 ? [`account(s) ${others.join(', ')}`] : [],
      ...deployTime.length > 0 ? [`the account${deployTime.length > 1 ? 's' : ''} of ${deployTime.join(', ')} (known only at deploy time)`] : [],
    ];
    // with the stack's account unknown, a literal account may be its own (a key's default admin statement names it): say how to tell
    const ownUnknown = policy.account === undefined && others.length > 0
      ? ` (the stack's account is unknown: if ${others.length > 1 ? 'one of these' : others[0]} is its own`
        + `${policy.type === 'AWS::KMS::Key' ? ', as in the key\'s default admin statement' : ''}, give the account `
        + '(the stack\'s env, or the CLI\'s --account) and it is not reported)'
      : '';
    return parts.length > 0 ? `${targetsText(policy)} grants ${parts.join(' and ')} whole, with no organisation or principal ARN condition${ownUnknown}` : undefined;
  }),
};
