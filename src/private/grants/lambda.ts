import { createHash } from 'crypto';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FUNCTION_POLICY_MAX_BYTES, LAMBDA_INVOKE_ACTION } from '../constants';
import { literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare } from './share';
import { fail } from '../input/validation';

/**
 * The function's half of `CrossAccountGrants.functionInvoke`.
 *
 * A function's policy is made of `AWS::Lambda::Permission` resources, each a
 * principal (an account, here), an optional `PrincipalOrgID`, and no other
 * condition: the function's side cannot be narrowed to the grantee's ARN, and
 * a warning says so for a role or user grantee; its identity policy is then
 * what narrows the grant to it.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
 */
export function functionShare(method: string, fn: lambda.IFunction, options: ShareOptions): ResourceShare {
  const created = fn.node.defaultChild instanceof lambda.CfnFunction;
  const label = `the function '${fn.node.path}'`;
  if (options.organizationalUnitPaths !== undefined) {
    fail(fn, `CrossAccountGrants.${method} cannot narrow ${label} to organizational units: an AWS::Lambda::Permission takes an organization (PrincipalOrgID) but no aws:PrincipalOrgPaths condition; leave organizationalUnitPaths out (organizationId narrows to the organization)`);
  }
  const permissions = () => fn.permissionsNode.findAll().filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission);
  return {
    method,
    resource: fn,
    label,
    created,
    sameAccount: grantee => fn.grantInvoke(grantee),
    identityStatements: stack => {
      const arn = literalIn(stack, fn.functionArn, fn, label, 'functionName');
      // The function and its versions and aliases, as aws-cdk-lib's grantInvoke allows.
      return [{ actions: [LAMBDA_INVOKE_ACTION], resources: [arn, `${arn}:*`] }];
    },
    resourceStatements: () => [{ actions: [LAMBDA_INVOKE_ACTION], resources: [fn.functionArn] }],
    narrowsToPrincipalArn: false,
    writeResourceSide: guard => {
      const account = guard.accounts[0];
      const principal = account !== undefined ? new iam.AccountPrincipal(account) : new iam.OrganizationPrincipal(guard.organizationId!);
      const id = `CrossAccountInvoke${createHash('sha256').update(JSON.stringify([account ?? '*', guard.organizationId ?? ''])).digest('hex').slice(0, 16)}`;
      return iam.Grant.addStatementToResourcePolicy({
        grantee: principal,
        actions: [LAMBDA_INVOKE_ACTION],
        resourceArns: [fn.functionArn],
        statement: new iam.PolicyStatement({ principals: [principal], actions: [LAMBDA_INVOKE_ACTION], resources: [fn.functionArn] }),
        resource: {
          env: fn.env,
          addToResourcePolicy: () => {
            // One permission per account (or organization), however many grants name it.
            if (fn.permissionsNode.tryFindChild(id) === undefined) {
              const organizationId = account !== undefined ? guard.organizationId : undefined;
              fn.addPermission(id, { principal, action: LAMBDA_INVOKE_ACTION, organizationId });
            }
            return { statementAdded: true, policyDependable: fn.permissionsNode.findChild(id) };
          },
        },
      });
    },
    resourceSideCaveat: grantee => grantee.kind !== 'identity' ? undefined
      : `the permission of ${label} lets in all of account ${grantee.account}, not only ${grantee.label}: an AWS::Lambda::Permission cannot carry an aws:PrincipalArn condition, so any principal of that account whose identity policy allows ${LAMBDA_INVOKE_ACTION} on it may invoke it; `
      + 'acknowledge this warning if that account is trusted to decide, or put the function behind a resource that can be narrowed (an SQS queue, an EventBridge bus)',
    keyUses: () => [],
    quota: {
      policy: `the resource policy of '${fn.node.path}'`,
      limitText: '20 KB for a function\'s resource-based policy (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)',
      limit: FUNCTION_POLICY_MAX_BYTES,
      // Lambda writes each permission as one statement of the function's policy.
      measure: () => ({
        Version: '2012-10-17',
        Statement: permissions().map(permission => ({
          Sid: permission.node.id,
          Effect: 'Allow',
          Principal: { AWS: permission.principal },
          Action: permission.action,
          Resource: permission.functionName,
          Condition: permission.principalOrgId !== undefined ? { StringEquals: { 'aws:PrincipalOrgID': permission.principalOrgId } } : undefined,
        })),
      }),
      fix: 'grant fewer accounts on this function, or grant an organization (organizationId) instead of many accounts',
    },
  };
}
