import { Annotations, AspectPriority, Aspects, IAspect, Names, Stack, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct, IConstruct } from 'constructs';
import { ACCOUNT_ID_PATTERN, UNRESOLVED_VALUE_ESTIMATE, WARNING_PREFIX } from './private/constants';
import { checkProps, everyKey, RequiredKeys } from './private/input/props';
import { fail, show, unique, validateAccountId, validateOrganizationId } from './private/input/validation';
import { declaredTrusts } from './private/organization/declared-trusts';
import {
  CDK_BOOTSTRAP_EXECUTION_ROLE_PATTERN,
  CONTROL_POLICIES_PER_TARGET,
  CONTROL_POLICIES_PER_TARGET_FREE,
  CONTROL_POLICY_MAX_LENGTH,
  ControlPolicyDocument,
  PerimeterSpec,
  StatementTooLargeError,
  controlPolicyLength,
  outsidePrincipalsStatement,
  packStatements,
  thirdPartyExternalIdStatement,
  trustPolicyProtectionStatements,
} from './private/organization/perimeter-policies';
import { registerPerimeter } from './private/organization/perimeter-registry';

/** A root (`r-…`), an OU (`ou-…-…`) or an account (12 digits), as AWS Organizations names policy targets. */
const TARGET_ID_PATTERN = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;

/** An IAM role ARN pattern, wildcards allowed: `arn:<partition>:iam::<account>:role/<path and name>`. */
const ROLE_ARN_PATTERN_PATTERN = /^arn:[^:]+:iam::[^:]*:role\/.+$/;

/** An IAM tag key: 1 to 128 letters, digits, spaces and `_ . : / = + - @`, not starting with `aws:`. */
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/**
 * Properties of an `OrganizationTrustPerimeter`.
 */
export interface OrganizationTrustPerimeterProps {
  /**
   * The organization whose principals may assume the roles (`aws:PrincipalOrgID`), e.g. `o-a1b2c3d4e5`.
   */
  readonly organizationId: string;

  /**
   * Where the resource control policy is attached: the organization's root
   * (`r-…`), OUs (`ou-…`) or member accounts (12 digits). It applies to the
   * roles of every account below them, except the management account's.
   */
  readonly targetIds: string[];

  /**
   * Accounts outside the organization that may assume roles of its accounts,
   * always with an external ID (a vendor's account).
   *
   * Added to those found in the app.
   *
   * @default - only the third parties found in the app
   */
  readonly thirdPartyAccounts?: string[];

  /**
   * Find the third parties in the app: every account that a role of the app
   * (in any stack or stage: `ExternalIdTrust`, `externalIds`, or a plain
   * `iam.Role` whose trust requires `sts:ExternalId`) trusts through an
   * external ID, at synth time.
   *
   * @default true
   */
  readonly discoverThirdParties?: boolean;

  /**
   * Accounts known to be members of the organization. They are never made
   * third-party exceptions, and the trust checks accept roles trusting them
   * (as they accept every account that has a stack in the app).
   *
   * @default - only the accounts that have a stack in the app are known members
   */
  readonly memberAccounts?: string[];

  /**
   * A role tagged with this key and the value `true` is left out of the
   * perimeter, as in AWS's data perimeter examples (`dp:exclude:identity`).
   *
   * Anyone who may tag roles could then open a role to any account: use
   * `protectTrustPolicies` so that only the deployment roles may set or remove
   * the tag.
   *
   * @default - no role can opt out
   */
  readonly exclusionTagKey?: string;

  /**
   * Add a service control policy that lets only the deployment roles change
   * who may assume a role: it denies `iam:UpdateAssumeRolePolicy` (and, with
   * `exclusionTagKey`, setting or removing that tag with `iam:CreateRole`,
   * `iam:TagRole` and `iam:UntagRole`) to every other principal of the member
   * accounts.
   *
   * @default false
   */
  readonly protectTrustPolicies?: boolean;

  /**
   * ARN patterns (`ArnLike aws:PrincipalArn`) of the roles still allowed to
   * change trust policies when `protectTrustPolicies` is on.
   *
   * @default - the CloudFormation execution role of the CDK bootstrap, default qualifier: `arn:*:iam::*:role/cdk-hnb659fds-cfn-exec-role-*`
   */
  readonly deploymentRoleArnPatterns?: string[];

  /**
   * Where the service control policy is attached.
   *
   * @default - the `targetIds`
   */
  readonly trustPolicyProtectionTargetIds?: string[];

  /**
   * The name of the policies; the resource control policies are named
   * `<policyName>-rcp` (`-rcp-2`, … when split), the service control policy
   * `<policyName>-scp`.
   *
   * @default - a name unique to this construct in the app
   */
  readonly policyName?: string;
}

/**
 * An AWS Organizations data perimeter around the organization's roles: a
 * resource control policy (RCP) that denies `sts:AssumeRole`,
 * `sts:TagSession` and `sts:SetSourceIdentity` on every role to principals
 * outside the organization, and optionally a service control policy (SCP)
 * that lets only the deployment roles change trust policies.
 *
 * The RCP lets in, besides the organization's principals:
 * - AWS services (`aws:PrincipalIsAWSService`), which assume service roles;
 * - third parties: the accounts the app trusts with an external ID (found at
 *   synth time in every stack and stage) and `thirdPartyAccounts`, and only
 *   when they present an external ID (`sts:ExternalId` must be in the request;
 *   each role's trust says which one);
 * - roles tagged `exclusionTagKey` = `true`, if that is set.
 *
 * Federated callers (`sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`)
 * carry no `aws:PrincipalOrgID`, so a deny on it would lock them all out: their
 * actions are not in the RCP, and its deny of `sts:TagSession` /
 * `sts:SetSourceIdentity` only applies to requests of AWS principals
 * (`aws:PrincipalAccount` present), so federation keeps working and stays
 * governed by the roles' trust policies.
 *
 * Deploy it in a stack of the organization's management account or of a
 * delegated administrator for AWS Organizations policies. Resource control
 * policies (and service control policies, for `protectTrustPolicies`) must be
 * enabled in the organization first. RCPs and SCPs do not apply to the
 * management account: its roles are outside the perimeter.
 *
 * Each policy must fit the AWS Organizations quotas: 5,120 characters per
 * document (every character counts; the policies are written without
 * whitespace) and 5 policies of a type per root, OU or account, one of which
 * is AWS's full-access policy. A document that is too big is split over
 * several policies; past the attachment quota, synthesis fails.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export class OrganizationTrustPerimeter extends Construct {
  /** The organization inside which principals may assume the roles. */
  public readonly organizationId: string;

  /** Accounts declared members of the organization. */
  public readonly memberAccounts: string[];

  /**
   * The tag key that leaves a role out of the perimeter.
   *
   * @default - undefined when no role can opt out
   */
  public readonly exclusionTagKey?: string;

  private readonly props: OrganizationTrustPerimeterProps;
  private readonly deploymentRoleArnPatterns: string[];
  private readonly rcps: organizations.CfnPolicy[] = [];
  private readonly scps: organizations.CfnPolicy[] = [];
  private built = false;
  /** The third parties the policies were written with, once they are. */
  private writtenThirdParties?: string[];

  constructor(scope: Construct, id: string, props: OrganizationTrustPerimeterProps) {
    super(scope, id);
    checkProps(this, 'OrganizationTrustPerimeter', props, everyKey<RequiredKeys<OrganizationTrustPerimeterProps>>()(['organizationId', 'targetIds']));
    validateOrganizationId(this, 'organizationId', props.organizationId);
    validateTargets(this, 'targetIds', props.targetIds);
    if (props.trustPolicyProtectionTargetIds !== undefined) {
      if (!props.protectTrustPolicies) {
        fail(this, 'trustPolicyProtectionTargetIds is set but protectTrustPolicies is not; set protectTrustPolicies: true, or remove trustPolicyProtectionTargetIds');
      }
      validateTargets(this, 'trustPolicyProtectionTargetIds', props.trustPolicyProtectionTargetIds);
    }
    (props.thirdPartyAccounts ?? []).forEach((account, i) => validateAccountId(this, `thirdPartyAccounts[${i}]`, account));
    (props.memberAccounts ?? []).forEach((account, i) => validateAccountId(this, `memberAccounts[${i}]`, account));
    const both = (props.thirdPartyAccounts ?? []).filter(a => (props.memberAccounts ?? []).includes(a));
    if (both.length > 0) {
      fail(this, `account(s) ${both.join(', ')} are in both thirdPartyAccounts and memberAccounts; an account is either in the organization or outside it, so remove it from one list`);
    }
    if (props.exclusionTagKey !== undefined && !Token.isUnresolved(props.exclusionTagKey)
      && (!TAG_KEY_PATTERN.test(props.exclusionTagKey) || /^aws:/i.test(props.exclusionTagKey))) {
      fail(this, `exclusionTagKey must be a tag key of 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with 'aws:', got ${show(props.exclusionTagKey)}; e.g. 'dp:exclude:identity'`);
    }
    if (props.deploymentRoleArnPatterns !== undefined && !props.protectTrustPolicies) {
      fail(this, 'deploymentRoleArnPatterns is set but protectTrustPolicies is not; set protectTrustPolicies: true, or remove deploymentRoleArnPatterns');
    }
    if (props.deploymentRoleArnPatterns !== undefined && props.deploymentRoleArnPatterns.length === 0) {
      fail(this, 'deploymentRoleArnPatterns is an empty list, which would let nobody change a trust policy again, CloudFormation included; give the deployment roles\' ARN patterns, or leave it out for the CDK bootstrap execution role');
    }
    (props.deploymentRoleArnPatterns ?? []).forEach((pattern, i) => {
      if (!Token.isUnresolved(pattern) && !ROLE_ARN_PATTERN_PATTERN.test(pattern)) {
        fail(this, `deploymentRoleArnPatterns[${i}] must be an IAM role ARN pattern like 'arn:*:iam::*:role/cdk-hnb659fds-cfn-exec-role-*', got ${show(pattern)}`);
      }
    });
    if (props.policyName !== undefined && !Token.isUnresolved(props.policyName) && !/^[\x20-\x7E]{1,120}$/.test(props.policyName)) {
      fail(this, `policyName must be 1 to 120 printable ASCII characters (the suffix '-rcp-2' makes it at most 128), got ${show(props.policyName)}`);
    }

    this.props = props;
    this.organizationId = props.organizationId;
    this.memberAccounts = unique(props.memberAccounts ?? []);
    this.exclusionTagKey = props.exclusionTagKey;
    this.deploymentRoleArnPatterns = props.deploymentRoleArnPatterns ?? [CDK_BOOTSTRAP_EXECUTION_ROLE_PATTERN];

    registerPerimeter(this, {
      path: this.node.path,
      organizationId: this.organizationId,
      memberAccounts: this.memberAccounts,
      // once the policies are written, the third parties they let in: the trust checks judge the app against those,
      // without reading every role of the app again inside validate()
      thirdPartyAccounts: () => this.writtenThirdParties ?? this.thirdPartyAccounts,
    });

    // The third parties are only all known when the app is complete: the policies are written at synth time,
    // before the aspects that mutate resources (tags) run.
    const perimeter = this;
    const build: IAspect = { visit: node => { if (node === perimeter) { perimeter.build(); } } };
    Aspects.of(this).add(build, { priority: AspectPriority.MUTATING - 100 });
    this.node.addValidation({ validate: () => this.validateAttachments() });
  }

  /**
   * The accounts outside the organization that the perimeter lets in on an
   * external ID: `thirdPartyAccounts`, plus (with `discoverThirdParties`) every
   * account a role of the app trusts through an external ID, except
   * `memberAccounts`. Complete once the app is.
   */
  public get thirdPartyAccounts(): string[] {
    // every account a role of the app trusts on an external ID, in any stack or stage
    const discovered = this.props.discoverThirdParties ?? true
      ? declaredTrusts(this.node.root).flatMap(role => role.trusts.filter(trust => trust.guards.externalId).flatMap(trust => trust.accounts))
      : [];
    return unique([...(this.props.thirdPartyAccounts ?? []), ...discovered])
      .filter(account => !this.memberAccounts.includes(account))
      .sort();
  }

  /** The resource control policies, written when the app is synthesized (more than one when the document is split). */
  public get resourceControlPolicies(): organizations.CfnPolicy[] {
    return [...this.rcps];
  }

  /**
   * The service control policies protecting trust policies (one unless a
   * long list of deployment role patterns splits it), written when the app is
   * synthesized; none without `protectTrustPolicies`.
   */
  public get serviceControlPolicies(): organizations.CfnPolicy[] {
    return [...this.scps];
  }

  private build(): void {
    if (this.built) { return; }
    this.built = true;
    const stack = Stack.of(this);
    const name = this.props.policyName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    const measure = (document: unknown) => controlPolicyLength(stack.resolve(document), UNRESOLVED_VALUE_ESTIMATE);

    const thirdParties = this.thirdPartyAccounts;
    this.writtenThirdParties = thirdParties;
    thirdParties.forEach(account => {
      if (!Token.isUnresolved(account) && !ACCOUNT_ID_PATTERN.test(account)) {
        fail(this, `the third party ${show(account)} is not a 12-digit account ID; check the roles' trusts and thirdPartyAccounts`);
      }
    });
    const spec: PerimeterSpec = { organizationId: this.organizationId, thirdPartyAccounts: thirdParties, exclusionTagKey: this.exclusionTagKey };
    let rcpDocuments: ControlPolicyDocument[];
    try {
      rcpDocuments = packStatements(
        [outsidePrincipalsStatement(spec)],
        thirdParties.length > 0 ? [{ items: thirdParties, build: (accounts, part) => thirdPartyExternalIdStatement(spec, accounts, part) }] : [],
        CONTROL_POLICY_MAX_LENGTH, measure);
    } catch (error) {
      if (!(error instanceof StatementTooLargeError)) { throw error; }
      return fail(this, `the resource control policy's statement ${error.sid} is ${error.length} characters with ${thirdParties.length} third-party accounts, over the AWS Organizations quota of ${CONTROL_POLICY_MAX_LENGTH} for one policy (every character counts), and its list of exceptions cannot be split; trust fewer third-party accounts from this organization, or move their roles into an account outside targetIds`);
    }
    rcpDocuments.forEach((document, i) => {
      this.rcps.push(new organizations.CfnPolicy(this, i === 0 ? 'ResourceControlPolicy' : `ResourceControlPolicy${i + 1}`, {
        name: i === 0 ? `${name}-rcp` : `${name}-rcp-${i + 1}`,
        type: 'RESOURCE_CONTROL_POLICY',
        description: `Denies the organization's roles to principals outside ${this.organizationId}, but for AWS services and third parties with an external ID${rcpDocuments.length > 1 ? ` (part ${i + 1} of ${rcpDocuments.length})` : ''}`,
        content: document,
        targetIds: this.props.targetIds,
      }));
    });

    if (this.props.protectTrustPolicies) {
      const statements = trustPolicyProtectionStatements({
        deploymentRoleArnPatterns: this.deploymentRoleArnPatterns,
        exclusionTagKey: this.exclusionTagKey,
      });
      let scpDocuments: ControlPolicyDocument[];
      try {
        scpDocuments = packStatements(statements, [], CONTROL_POLICY_MAX_LENGTH, measure);
      } catch (error) {
        if (!(error instanceof StatementTooLargeError)) { throw error; }
        return fail(this, `the service control policy's statement ${error.sid} is ${error.length} characters, over the AWS Organizations quota of ${CONTROL_POLICY_MAX_LENGTH}; give fewer or shorter deploymentRoleArnPatterns (wildcards can cover several roles)`);
      }
      scpDocuments.forEach((document, i) => {
        this.scps.push(new organizations.CfnPolicy(this, i === 0 ? 'TrustPolicyProtection' : `TrustPolicyProtection${i + 1}`, {
          name: i === 0 ? `${name}-scp` : `${name}-scp-${i + 1}`,
          type: 'SERVICE_CONTROL_POLICY',
          description: `Lets only the deployment roles change who may assume a role${scpDocuments.length > 1 ? ` (part ${i + 1} of ${scpDocuments.length})` : ''}`,
          content: document,
          targetIds: this.props.trustPolicyProtectionTargetIds ?? this.props.targetIds,
        }));
      });
    }
    if (!Token.isUnresolved(stack.account) && thirdParties.includes(stack.account)) {
      Annotations.of(this).addWarningV2(`${WARNING_PREFIX}:perimeterThirdPartyIsHere`,
        `the perimeter's own account ${stack.account} is a third party; deploy the perimeter in the organization's management account or a delegated administrator`);
    }
  }

  /** Every target may hold at most 4 policies of a type besides AWS's full-access one, counting every perimeter of the app. */
  private validateAttachments(): string[] {
    const counts = new Map<string, { rcp: number; scp: number }>();
    for (const perimeter of this.node.root.node.findAll().filter((c): c is OrganizationTrustPerimeter => c instanceof OrganizationTrustPerimeter)) {
      for (const [policies, kind] of [[perimeter.rcps, 'rcp'], [perimeter.scps, 'scp']] as const) {
        for (const policy of policies) {
          for (const target of (policy.targetIds ?? [])) {
            const count = counts.get(target) ?? { rcp: 0, scp: 0 };
            counts.set(target, { ...count, [kind]: count[kind] + 1 });
          }
        }
      }
    }
    const mine = unique([...this.props.targetIds, ...(this.props.trustPolicyProtectionTargetIds ?? [])]);
    const errors: string[] = [];
    for (const target of mine) {
      const count = counts.get(target) ?? { rcp: 0, scp: 0 };
      for (const [kind, label] of [['rcp', 'resource control policies'], ['scp', 'service control policies']] as const) {
        if (count[kind] > CONTROL_POLICIES_PER_TARGET_FREE) {
          errors.push(`the app attaches ${count[kind]} ${label} to '${target}', but AWS Organizations allows ${CONTROL_POLICIES_PER_TARGET} per root, OU or account, one of which is AWS's full-access policy; attach the perimeter to the parent OU or the root instead of each account, or trust fewer third parties so that the policy needs fewer parts`);
        }
      }
    }
    return errors;
  }
}

/** Validates a list of policy targets: not empty, each a root, OU or account, no duplicates. */
function validateTargets(scope: IConstruct, name: string, targets: string[]): void {
  if (targets.length === 0) {
    fail(scope, `${name} is empty, so the policy would apply nowhere; give the organization's root ID ('r-…'), OU IDs ('ou-…') or account IDs`);
  }
  targets.forEach((target, i) => {
    if (!Token.isUnresolved(target) && !TARGET_ID_PATTERN.test(target)) {
      const hint = /^o-/.test(target) ? ' (that is the organization ID; policies attach to its root, \'r-…\', found with \'aws organizations list-roots\')' : '';
      fail(scope, `${name}[${i}] must be a root ID ('r-ab12'), an OU ID ('ou-ab12-11111111') or a 12-digit account ID, got ${show(target)}${hint}`);
    }
  });
  const duplicates = targets.filter((t, i) => targets.indexOf(t) !== i);
  if (duplicates.length > 0) {
    fail(scope, `${name} lists ${unique(duplicates).join(', ')} more than once; give each target once`);
  }
}
