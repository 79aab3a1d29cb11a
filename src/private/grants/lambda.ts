import { createHash } from 'crypto';
import { Token } from 'aws-cdk-lib';
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
 *
 * An alias or a version (a qualified function) has a policy of its own: its
 * permissions and the grantee's identity policy name its qualified ARN. A
 * version the app publishes is numbered by Lambda at deploy time, so the
 * grantee's policy cannot name it: granting a role or user on it is refused
 * with the fix (the function, or an alias of the version).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
export function functionShare(method: string, fn: lambda.IFunction, options: ShareOptions): ResourceShare {
  const created = isCreated(fn);
  const qualified = isQualified(fn);
  const label = `the ${qualified ? isVersion(fn) ? 'version' : 'alias' : 'function'} '${fn.node.path}'`;
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
      if (qualified && isVersion(fn) && Token.isUnresolved(fn.version)) {
        fail(fn, `CrossAccountGrants.${method} cannot name ${label} in the grantee's policy: Lambda numbers a version when it publishes it, at deploy time, so its ARN is not known at synth time; `
          + `grant on the function (CrossAccountGrants.${method}(fn, ...), which covers its versions and aliases) or on an alias of the version (new lambda.Alias(scope, 'Live', { aliasName: 'live', version }))`);
      }
      // An alias's or version's ARN is its function's name and its qualifier: the function must have a name.
      const what = qualified ? `the function '${functionOf(fn).node.path}' of ${label}` : label;
      const arn = literalIn(stack, fn.functionArn, fn, what, 'functionName');
      // An alias or a version: its own ARN. A function: it and its versions and aliases, as aws-cdk-lib's grantInvoke allows.
      return [{ actions: [LAMBDA_INVOKE_ACTION], resources: qualified ? [arn] : [arn, `${arn}:*`] }];
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

/**
 * The app creates the function, alias or version, so it can write its
 * permissions: a `lambda.Function`, a `lambda.SingletonFunction` (whose
 * permissions go to the function it creates once per stack), a `lambda.Alias`,
 * a `lambda.Version`.
 */
function isCreated(fn: lambda.IFunction): boolean {
  const own = fn.node.defaultChild;
  return own instanceof lambda.CfnFunction || own instanceof lambda.CfnAlias || own instanceof lambda.CfnVersion
    || fn.permissionsNode.defaultChild instanceof lambda.CfnFunction;
}

/** An alias or a version: a function qualified by an alias name or a version number, with a policy of its own. */
function isQualified(fn: lambda.IFunction): fn is lambda.IAlias | lambda.IVersion {
  return 'aliasName' in fn || isVersion(fn);
}

function isVersion(fn: lambda.IFunction): fn is lambda.IVersion {
  return !('aliasName' in fn) && 'version' in fn && 'lambda' in fn;
}

/** The function an alias or a version qualifies. */
function functionOf(fn: lambda.IAlias | lambda.IVersion): lambda.IFunction {
  return isVersion(fn) ? fn.lambda : fn.version.lambda;
}
