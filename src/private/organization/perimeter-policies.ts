/**
 * The policy documents of `OrganizationTrustPerimeter`: the resource control
 * policy (RCP) that keeps principals outside the organization out of its
 * roles, the service control policy (SCP) that protects trust policies, and
 * the packing of their statements into documents that fit the AWS
 * Organizations quotas.
 */
import {
  KEY_EXTERNAL_ID,
  KEY_PRINCIPAL_ORG_ID,
  STS_ASSUME_ROLE,
  STS_SET_SOURCE_IDENTITY,
  STS_TAG_SESSION,
} from '../constants';
import { oneOrMany } from '../policy/trust';

/** An RCP or SCP statement, as JSON. */
export interface ControlStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal?: '*';
  readonly Action: string | string[];
  readonly Resource: '*';
  readonly Condition: Record<string, Record<string, string | string[]>>;
}

/** An RCP or SCP document, as JSON. */
export interface ControlPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ControlStatement[];
}

/** AWS Organizations: at most 5,120 characters per SCP or RCP document, every character counted, whitespace included. */
export const CONTROL_POLICY_MAX_LENGTH = 5120;

/**
 * AWS Organizations: at most 5 SCPs, and 5 RCPs, attached to one root, OU or
 * account. One of them is AWS's own full-access policy (`FullAWSAccess`,
 * `RCPFullAWSAccess`), which stays attached (RCPFullAWSAccess cannot be
 * detached), so at most 4 are left for others.
 */
export const CONTROL_POLICIES_PER_TARGET = 5;
export const CONTROL_POLICIES_PER_TARGET_FREE = CONTROL_POLICIES_PER_TARGET - 1;

/** The value of the exclusion tag that takes a role out of the perimeter (as in AWS's data perimeter examples). */
export const EXCLUSION_TAG_VALUE = 'true';

/**
 * The role name pattern of the CloudFormation execution role that `cdk bootstrap`
 * creates with the default qualifier: `cdk-hnb659fds-cfn-exec-role-<account>-<region>`.
 */
export const CDK_BOOTSTRAP_EXECUTION_ROLE_PATTERN = 'arn:*:iam::*:role/cdk-hnb659fds-cfn-exec-role-*';

/**
 * The IAM actions that change who may assume an existing role: its trust
 * policy (`iam:UpdateAssumeRolePolicy`, the only action that edits a trust
 * policy).
 */
export const TRUST_POLICY_ACTIONS = ['iam:UpdateAssumeRolePolicy'];

/** The IAM actions that set or remove a role's tags (`aws:TagKeys` is in their request context). */
export const ROLE_TAG_ACTIONS = ['iam:CreateRole', 'iam:TagRole', 'iam:UntagRole'];

/** What the perimeter's RCP is made of. */
export interface PerimeterSpec {
  readonly organizationId: string;
  /** Accounts outside the organization let in on an external ID. Sorted, unique. */
  readonly thirdPartyAccounts: string[];
  /** A role with this tag set to `true` is left out of the perimeter. */
  readonly exclusionTagKey?: string;
}

/** The condition that leaves roles with the exclusion tag out, if there is one. */
function exclusion(spec: PerimeterSpec): Record<string, string> {
  return spec.exclusionTagKey !== undefined ? { [`aws:ResourceTag/${spec.exclusionTagKey}`]: EXCLUSION_TAG_VALUE } : {};
}

/**
 * The statement that keeps principals outside the organization out of every
 * role: sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity are denied
 * unless the caller is in the organization, is a declared third party, is an
 * AWS service, or the role carries the exclusion tag.
 *
 * `Null aws:PrincipalAccount false` limits the deny to requests signed by an
 * AWS principal. AssumeRoleWithSAML and AssumeRoleWithWebIdentity callers are
 * not AWS principals (the calls need no AWS credentials) and carry no
 * aws:PrincipalOrgID; their own actions are not in the list, and the
 * sts:TagSession / sts:SetSourceIdentity they may need are left to their trust
 * policies, so federation keeps working.
 */
export function outsidePrincipalsStatement(spec: PerimeterSpec): ControlStatement {
  return {
    Sid: 'DenyRoleAssumptionOutsideOrganization',
    Effect: 'Deny',
    Principal: '*',
    Action: [STS_ASSUME_ROLE, STS_SET_SOURCE_IDENTITY, STS_TAG_SESSION],
    Resource: '*',
    Condition: {
      StringNotEqualsIfExists: {
        [KEY_PRINCIPAL_ORG_ID]: spec.organizationId,
        ...(spec.thirdPartyAccounts.length > 0 ? { 'aws:PrincipalAccount': oneOrMany(spec.thirdPartyAccounts) } : {}),
        ...exclusion(spec),
      },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      Null: { 'aws:PrincipalAccount': 'false' },
    },
  };
}

/**
 * The statement that makes third parties present an external ID: sts:AssumeRole
 * by one of `accounts` without `sts:ExternalId` is denied (which external ID is
 * right is for each role's trust policy to say). Several of these, with parts
 * of the list, deny the same as one with all of it.
 */
export function thirdPartyExternalIdStatement(spec: PerimeterSpec, accounts: string[], part: number): ControlStatement {
  return {
    Sid: `DenyThirdPartiesWithoutExternalId${part > 1 ? part : ''}`,
    Effect: 'Deny',
    Principal: '*',
    Action: STS_ASSUME_ROLE,
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:PrincipalAccount': oneOrMany(accounts) },
      Null: { [KEY_EXTERNAL_ID]: 'true' },
      ...(spec.exclusionTagKey !== undefined ? { StringNotEqualsIfExists: exclusion(spec) } : {}),
    },
  };
}

/** What the SCP protecting trust policies is made of. */
export interface TrustPolicyProtectionSpec {
  /** ARN patterns of the principals still allowed to change trust policies. */
  readonly deploymentRoleArnPatterns: string[];
  /** The perimeter's exclusion tag, which only those principals may set or remove. */
  readonly exclusionTagKey?: string;
}

/**
 * The SCP statements: nobody but the deployment roles may change a role's
 * trust policy, nor set or remove the perimeter's exclusion tag on a role.
 */
export function trustPolicyProtectionStatements(spec: TrustPolicyProtectionSpec): ControlStatement[] {
  const exceptDeployment = { 'aws:PrincipalArn': oneOrMany(spec.deploymentRoleArnPatterns) };
  const statements: ControlStatement[] = [{
    Sid: 'DenyTrustPolicyChangesOutsideDeployment',
    Effect: 'Deny',
    Action: oneOrMany(TRUST_POLICY_ACTIONS),
    Resource: '*',
    Condition: { ArnNotLike: exceptDeployment },
  }];
  if (spec.exclusionTagKey !== undefined) {
    statements.push({
      Sid: 'DenyPerimeterExclusionTagOutsideDeployment',
      Effect: 'Deny',
      Action: ROLE_TAG_ACTIONS,
      Resource: '*',
      Condition: {
        'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': spec.exclusionTagKey },
        'ArnNotLike': exceptDeployment,
      },
    });
  }
  return statements;
}

/**
 * The length AWS Organizations counts for a document: every character of its
 * JSON as CloudFormation sends it (no whitespace between elements). Values
 * only known at deploy time count as `unresolvedLength` characters.
 */
export function controlPolicyLength(policy: unknown, unresolvedLength: number): number {
  return JSON.stringify(policy, (_key, value) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
        return 'x'.repeat(unresolvedLength);
      }
    }
    return value;
  }).length;
}

/** A statement built over a list that may be cut into parts (`part` numbers from 1). */
export interface SplittableStatement {
  readonly items: string[];
  build(items: string[], part: number): ControlStatement;
}

/** A statement that does not fit in one document, whatever the packing. */
export class StatementTooLargeError extends Error {
  constructor(public readonly sid: string, public readonly length: number) {
    super(`statement ${sid} is ${length} characters`);
  }
}

/**
 * Packs statements into as few documents of at most `maxLength` characters as
 * it can, in order: whole statements first, then each splittable statement's
 * list cut into the parts that fill the room left.
 *
 * A whole statement that does not fit in an empty document throws a
 * `StatementTooLargeError`, and so does a splittable one whose single item
 * does not.
 */
export function packStatements(
  whole: ControlStatement[], splittable: SplittableStatement[], maxLength: number, measure: (document: unknown) => number,
): ControlPolicyDocument[] {
  const documents: ControlStatement[][] = [[]];
  const fits = (statements: ControlStatement[]) => measure(document(statements)) <= maxLength;
  const place = (statement: ControlStatement) => {
    const current = documents[documents.length - 1];
    if (fits([...current, statement])) {
      current.push(statement);
    } else if (fits([statement])) {
      documents.push([statement]);
    } else {
      throw new StatementTooLargeError(statement.Sid, measure(document([statement])));
    }
  };
  whole.forEach(place);
  for (const statement of splittable) {
    let rest = statement.items;
    let part = 1;
    while (rest.length > 0) {
      const current = documents[documents.length - 1];
      // The most items that fit in the current document (the length grows with the count); none fit: a new document.
      let count = 0;
      let high = rest.length;
      while (count < high) {
        const middle = Math.ceil((count + high) / 2);
        if (fits([...current, statement.build(rest.slice(0, middle), part)])) { count = middle; } else { high = middle - 1; }
      }
      if (count === 0) {
        if (current.length === 0) {
          throw new StatementTooLargeError(statement.build(rest.slice(0, 1), part).Sid, measure(document([statement.build(rest.slice(0, 1), part)])));
        }
        documents.push([]);
        continue;
      }
      current.push(statement.build(rest.slice(0, count), part));
      rest = rest.slice(count);
      part++;
    }
  }
  return documents.filter(statements => statements.length > 0).map(document);
}

function document(statements: ControlStatement[]): ControlPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}
