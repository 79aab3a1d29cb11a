import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, AspectApplication, Aspects, BootstraplessSynthesizer, Lazy, Stack, StackProps, Stage, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { AssumerOptions } from './assumers';
import { CrossAccountRole, CrossAccountRoleOptions } from './cross-account-role';
import { KEY_MFA_PRESENT, MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT, MANAGED_POLICIES_PER_PRINCIPAL_MAX, MANAGED_POLICY_MAX_LENGTH, WARNING_PREFIX } from './private/constants';
import { checkProps, everyKey, refuseStackScope, RequiredKeys } from './private/input/props';
import { fail, show, unique, validateAccountId, validateOrganizationId, validateRoleName, validateStackName } from './private/input/validation';
import { resolveIntrinsics } from './private/policy/intrinsics';
import { packPolicyDocuments, totalPolicyLength } from './private/policy/policy-packer';
import { roleOptionsOf } from './private/role/role-options';
import { assumePermissionDocuments } from './private/trusted/assume-permission';
import { assumersIn } from './private/trusted/assumers';

/** The props a plain JavaScript caller must give (the compiler keeps the list complete). */
const REQUIRED_PROPS = everyKey<RequiredKeys<CrossAccountRoleFanoutProps>>()(['hubAccount', 'roleName']);

/** CloudFormation's limit for an inline `TemplateBody`. */
const TEMPLATE_BODY_MAX_BYTES = 51200;

/**
 * Properties of a `CrossAccountRoleFanout`.
 *
 * Give `spokeAccounts` (stack mode: one stack per spoke account in this app), or
 * `organizationalUnitIds` with `organizationId` and `deploymentAccount`
 * (StackSet mode: one service-managed StackSet deploys the role to every
 * account of those OUs, now and later).
 */
export interface CrossAccountRoleFanoutProps extends CrossAccountRoleOptions, AssumerOptions {
  /** The trusted account whose principals assume the role in every spoke. */
  readonly hubAccount: string;

  /**
   * The region of every stack (and of the StackSet's instances): us-east-1 unless given.
   *
   * IAM is global, so the roles work from every region; this is only where
   * the stacks deploy.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /** The role's name, the same in every spoke account. */
  readonly roleName: string;

  /**
   * Stack mode: the spoke (trusting) accounts, one stack each.
   *
   * @default - StackSet mode
   */
  readonly spokeAccounts?: string[];

  /**
   * StackSet mode: the organizational units whose accounts get the role (and keep getting it as accounts join).
   *
   * @default - stack mode
   */
  readonly organizationalUnitIds?: string[];

  /**
   * StackSet mode: a list of exactly one region, where the StackSet deploys its instances.
   *
   * IAM is global, so a role StackSet deploys to exactly one region; a second
   * region would create the same role again and fail, so any other length is
   * refused. A list only because that is the StackSet's own shape.
   *
   * @default - `[region]`
   */
  readonly regions?: string[];

  /**
   * The AWS Organizations ID of the spokes and the hub.
   *
   * Required in StackSet mode, where the hub's permission is
   * `arn:<partition>:iam::*:role/<roleName>` limited by `aws:ResourceOrgID`.
   * The spokes' trust then requires `aws:PrincipalOrgID` too: it sets
   * `trustedOrganizationId`, which need not be given (given, it must be the same ID).
   *
   * @default - no organization condition (stack mode only)
   */
  readonly organizationId?: string;

  /**
   * StackSet mode: the account that owns the StackSet: the organization's
   * management account or a delegated administrator for CloudFormation StackSets.
   *
   * @default - stack mode
   */
  readonly deploymentAccount?: string;

  /**
   * StackSet mode: `deploymentAccount` is a delegated administrator (the
   * StackSet is created with `CallAs: DELEGATED_ADMIN`), not the management account.
   *
   * @default false
   */
  readonly delegatedAdmin?: boolean;

  /**
   * StackSet mode: the StackSet's name, unique in the deployment account and
   * region: a letter, then up to 127 letters, digits and hyphens.
   *
   * @default - `<stage name>-<id>-<roleName>`, with every character of the
   * role name that a StackSet name does not allow (`_ + = , . @`) replaced by '-'
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html
   */
  readonly stackSetName?: string;

  /**
   * External IDs the hub's callers must pass.
   *
   * @default - none
   */
  readonly externalIds?: string[];


  /**
   * Further properties of every stack (tags, synthesizer, termination protection ...).
   * `env` and `stackName` are set by the fan-out.
   *
   * @default - none
   */
  readonly stackProps?: StackProps;
}

/**
 * One hub account that assumes the same role in many spoke accounts.
 *
 * Stack mode (`spokeAccounts`): a hub stack with the assume permission and one
 * stack per spoke account with a `CrossAccountRole`. StackSet mode
 * (`organizationalUnitIds`): a hub stack, and a stack in the deployment
 * account with a service-managed `AWS::CloudFormation::StackSet` whose inline
 * template is the spoke role, deployed to every account of the OUs.
 *
 * The hub's permission takes the smallest correct form: the spokes' role ARNs,
 * or `arn:<partition>:iam::*:role/<roleName>` limited to the spoke accounts by
 * `aws:ResourceAccount` (split over several managed policies if the list
 * outgrows one: a warning over 10, the default quota per principal, an error
 * over 20, the maximum), or in StackSet mode to the organization by
 * `aws:ResourceOrgID`.
 */
export class CrossAccountRoleFanout extends Construct {
  /** The hub (trusted) account's stack: the assume permission. */
  public readonly hubStack: Stack;

  /** Stack mode: one stack per spoke account, in the order given. */
  public readonly spokeStacks: Stack[];

  /** Stack mode: the role of each spoke stack, in the same order. */
  public readonly spokeRoles: CrossAccountRole[];

  /**
   * StackSet mode: the stack in the deployment account that holds the StackSet.
   *
   * @default - undefined in stack mode
   */
  public readonly stackSetStack?: Stack;

  /**
   * StackSet mode: the StackSet.
   *
   * @default - undefined in stack mode
   */
  public readonly stackSet?: cloudformation.CfnStackSet;

  /** The hub's managed policies that allow assuming the spoke roles. */
  public readonly hubPolicies: iam.ManagedPolicy[];

  /**
   * The group created in the hub account for the assumers.
   *
   * @default - undefined when existing assumers were named
   */
  public readonly assumerGroup?: iam.Group;

  constructor(scope: Construct, id: string, props: CrossAccountRoleFanoutProps) {
    super(scope, id);
    checkProps(this, 'CrossAccountRoleFanout', props, REQUIRED_PROPS);
    refuseStackScope(this, 'CrossAccountRoleFanout');
    validateAccountId(this, 'hubAccount', props.hubAccount);
    validateRoleName(this, 'roleName', props.roleName);
    if (props.organizationId !== undefined) {
      validateOrganizationId(this, 'organizationId', props.organizationId);
    }
    // One organization: the spokes' trust (trustedOrganizationId) and the hub's permission (organizationId) must name the same.
    if (props.organizationId !== undefined && props.trustedOrganizationId !== undefined
      && !Token.isUnresolved(props.organizationId) && !Token.isUnresolved(props.trustedOrganizationId)
      && props.organizationId !== props.trustedOrganizationId) {
      fail(this, `organizationId ${show(props.organizationId)} and trustedOrganizationId ${show(props.trustedOrganizationId)} differ, so the spokes would trust one organization `
        + 'while the hub\'s permission names the other; give organizationId only (it sets the spokes\' trustedOrganizationId too)');
    }
    const stackSetMode = props.organizationalUnitIds !== undefined;
    if (stackSetMode === (props.spokeAccounts !== undefined)) {
      fail(this, 'give either spokeAccounts (one stack per account) or organizationalUnitIds (a StackSet), not both and not neither');
    }
    if (!stackSetMode && props.regions !== undefined) {
      fail(this, `regions is only used in StackSet mode (organizationalUnitIds), got ${show(props.regions.join(', '))} with spokeAccounts; set region for the stacks instead`);
    }

    // Stack names: <stage>-<path of the fan-out within its stage, joined by '-'>-<Hub|Spoke-<account>|StackSet>.
    // A fan-out directly under the app or a stage is named by its id alone.
    const stage = Stage.of(this);
    const prefix = stage?.stageName ? `${stage.stageName}-` : '';
    const scopes = this.node.scopes;
    const base = scopes.slice(stage ? scopes.indexOf(stage) + 1 : 1).map(c => c.node.id).join('-');
    claimStackNames(this, `${prefix}${base}`);
    const region = props.region ?? 'us-east-1';
    const stackProps = (name: string, account: string): StackProps => ({
      ...props.stackProps,
      stackName: validStackName(this, `${prefix}${base}-${name}`, base),
      env: { account, region },
    });
    const spokeRoleProps = {
      ...roleOptionsOf(props),
      roleName: props.roleName,
      trustedAccounts: [props.hubAccount],
      externalIds: props.externalIds,
      trustedOrganizationId: props.trustedOrganizationId ?? props.organizationId,
      description: props.description ?? `Assumed from the hub account ${props.hubAccount}`,
    };

    this.hubStack = new Stack(this, 'Hub', stackProps('Hub', props.hubAccount));
    this.spokeStacks = [];
    this.spokeRoles = [];
    let hubStatements: iam.PolicyStatement[][];
    const requireMfa = props.requireMfa === true || props.maxMfaAge !== undefined;
    const conditions = (extra: iam.Conditions): iam.Conditions => ({
      ...extra,
      ...(requireMfa ? { Bool: { [KEY_MFA_PRESENT]: 'true' } } : {}),
    });
    const wildcardArn = this.hubStack.formatArn({ service: 'iam', region: '', account: '*', resource: 'role', resourceName: props.roleName });

    if (!stackSetMode) {
      const spokes = props.spokeAccounts!;
      if (spokes.length === 0) {
        fail(this, 'spokeAccounts is empty; give the spoke account IDs');
      }
      spokes.forEach((account, i) => validateAccountId(this, `spokeAccounts[${i}]`, account));
      const duplicates = spokes.filter((a, i) => spokes.indexOf(a) !== i);
      if (duplicates.length > 0) {
        fail(this, `spokeAccounts lists ${unique(duplicates).join(', ')} more than once; give each account once`);
      }
      if (spokes.includes(props.hubAccount)) {
        fail(this, `spokeAccounts includes the hub account ${props.hubAccount}; a role the hub assumes in its own account is not cross-account, create it separately`);
      }
      const addSpoke = (account: string) => {
        const spoke = new Stack(this, `Spoke${account}`, stackProps(`Spoke-${account}`, account));
        this.spokeStacks.push(spoke);
        this.spokeRoles.push(new CrossAccountRole(spoke, 'Role', spokeRoleProps));
      };
      // Every spoke role has the same trust, so the first one's actions (sts:AssumeRole, plus
      // sts:TagSession / sts:SetSourceIdentity when its trust requires them) are everyone's.
      checkPolicyAccounts(this, this.hubStack, props, spokes);
      addSpoke(spokes[0]);
      const actions = this.spokeRoles[0].assumeRoleActions;
      // The smallest correct form: exact ARNs, or the wildcard name limited by aws:ResourceAccount.
      // The exact form is what an AssumeRolePolicy on the spoke roles holds; both are packed by the one packer.
      const spokeArn = (account: string) => this.hubStack.formatArn({ service: 'iam', region: '', account, resource: 'role', resourceName: props.roleName });
      const sortedActions = unique(actions).sort();
      const exact = assumePermissionDocuments(this.hubStack, spokes.map(account => ({ actions: sortedActions, arn: spokeArn(account) })), requireMfa);
      const byAccount = packPolicyDocuments(this.hubStack, [...spokes].sort(), batch => [new iam.PolicyStatement({
        actions,
        resources: [wildcardArn],
        conditions: conditions({ StringEquals: { 'aws:ResourceAccount': batch.length === 1 ? batch[0] : batch } }),
      })]);
      hubStatements = totalPolicyLength(this.hubStack, byAccount) < totalPolicyLength(this.hubStack, exact) ? byAccount : exact;
      // Before the other spoke stacks are built: thousands of them would only slow down the error.
      if (hubStatements.length > MANAGED_POLICIES_PER_PRINCIPAL_MAX) {
        fail(this, `the hub permission for ${spokes.length} spoke accounts needs ${hubStatements.length} managed policies of ${MANAGED_POLICY_MAX_LENGTH} characters, `
          + `over the IAM maximum of ${MANAGED_POLICIES_PER_PRINCIPAL_MAX} per user, group or role; use StackSet mode (organizationalUnitIds with organizationId), `
          + 'where the permission is one statement limited to the organization by aws:ResourceOrgID, or split the spokes over several fan-outs with distinct assumers');
      }
      spokes.slice(1).forEach(addSpoke);
    } else {
      const ous = props.organizationalUnitIds!;
      if (ous.length === 0) {
        fail(this, 'organizationalUnitIds is empty; give the OU IDs (ou-xxxx-xxxxxxxx) or the root ID (r-xxxx)');
      }
      ous.forEach((ou, i) => {
        if (!Token.isUnresolved(ou) && !/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(ou)) {
          fail(this, `organizationalUnitIds[${i}] must be an OU ID like 'ou-ab12-cd34ef56' or the root ID 'r-ab12', got ${show(ou)}`);
        }
      });
      if (props.organizationId === undefined) {
        fail(this, 'organizationId is required with organizationalUnitIds: the hub may assume the role in any account of the organization (aws:ResourceOrgID)');
      }
      if (props.deploymentAccount === undefined) {
        fail(this, 'deploymentAccount is required with organizationalUnitIds: the management account, or a delegated administrator for StackSets (with delegatedAdmin: true)');
      }
      validateAccountId(this, 'deploymentAccount', props.deploymentAccount);
      const regions = props.regions ?? [region];
      if (regions.length !== 1) {
        const got = regions.length === 0 ? 'an empty list' : `${regions.length} (${regions.join(', ')})`;
        fail(this, `regions must name exactly one region for a role StackSet, got ${got}; IAM is global, so a second region would create the same role again and fail: write regions: ['${region}'] or leave it out to use region`);
      }

      const roleNamePart = Token.isUnresolved(props.roleName) ? props.roleName : props.roleName.replace(/[^A-Za-z0-9-]/g, '-');
      const stackSetName = props.stackSetName ?? `${prefix}${base}-${roleNamePart}`;
      validateStackSetName(this, stackSetName, props.stackSetName !== undefined);
      this.stackSetStack = new Stack(this, 'StackSet', stackProps('StackSet', props.deploymentAccount));
      checkPolicyAccounts(this, this.hubStack, props, undefined);
      const spoke = new SpokeTemplate(this, this.stackSetStack, spokeRoleProps);
      this.node.addValidation({
        validate: () => {
          const bytes = Buffer.byteLength(spoke.templateBody());
          return bytes > TEMPLATE_BODY_MAX_BYTES
            ? [`the spoke template is ${bytes} bytes, over CloudFormation's ${TEMPLATE_BODY_MAX_BYTES} for an inline TemplateBody; move inline policies into a customer managed policy`]
            : [];
        },
      });
      this.stackSet = new cloudformation.CfnStackSet(this.stackSetStack, 'StackSet', {
        stackSetName,
        description: `Role ${props.roleName}, assumed from the hub account ${props.hubAccount}`,
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        capabilities: ['CAPABILITY_NAMED_IAM'],
        callAs: props.delegatedAdmin ? 'DELEGATED_ADMIN' : 'SELF',
        managedExecution: { Active: true },
        operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: 'PARALLEL' },
        stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: ous }, regions }],
        // resolved when the user's app synthesizes: after its aspects are all added, so that they reach the spoke role
        templateBody: Lazy.uncachedString({ produce: () => spoke.templateBody() }),
      });
      hubStatements = [[new iam.PolicyStatement({
        actions: spoke.assumeRoleActions,
        resources: [wildcardArn],
        conditions: conditions({ StringEquals: { 'aws:ResourceOrgID': props.organizationId } }),
      })]];
    }

    const assumers = assumersIn(this.hubStack, props, this);
    this.assumerGroup = assumers.createdGroup;
    this.hubPolicies = hubStatements.map((statements, i) => new iam.ManagedPolicy(this.hubStack, i === 0 ? 'AssumePolicy' : `AssumePolicy${i + 1}`, {
      description: `Allows assuming ${props.roleName} in the spoke accounts` + (hubStatements.length > 1 ? ` (part ${i + 1} of ${hubStatements.length})` : ''),
      statements,
      users: assumers.users,
      groups: assumers.groups,
      roles: assumers.roles,
    }));
    if (this.hubPolicies.length > MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT) {
      // On the hub stack: the CLI shows only the annotations of constructs inside a stack.
      Annotations.of(this.hubStack).addWarningV2(`${WARNING_PREFIX}:assumePolicyCount`,
        `the hub permission takes ${this.hubPolicies.length} managed policies, over the default IAM quota of ${MANAGED_POLICIES_PER_PRINCIPAL_DEFAULT} per user, group or role; `
        + `the deployment fails unless the hub account's 'Managed policies per user/role' quota is raised (up to ${MANAGED_POLICIES_PER_PRINCIPAL_MAX}) in Service Quotas; `
        + 'or use StackSet mode with an organization, where the permission is one statement');
    }
  }
}

/**
 * Refuses a managed policy or permissions boundary of one account (a literal
 * account in its ARN) that would be attached in spokes of other accounts,
 * where IAM refuses it. AWS managed policies (account `aws`) and ARNs whose
 * account is only known at deploy time (`AWS::AccountId`) pass.
 *
 * @param spokes the spoke accounts in stack mode; undefined in StackSet mode (any account)
 */
function checkPolicyAccounts(fanout: Construct, stack: Stack, props: CrossAccountRoleFanoutProps, spokes: string[] | undefined): void {
  const policies: Array<[string, iam.IManagedPolicy]> = [
    ...(props.managedPolicies ?? []).map((p, i) => [`managedPolicies[${i}]`, p] as [string, iam.IManagedPolicy]),
    ...(props.permissionsBoundary ? [['permissionsBoundary', props.permissionsBoundary] as [string, iam.IManagedPolicy]] : []),
  ];
  for (const [name, policy] of policies) {
    const arn = flattenArn(stack.resolve(policy.managedPolicyArn));
    const account = arn === undefined ? undefined : /^arn:[^:]*:iam::(\d{12}):policy\//.exec(arn)?.[1];
    if (account === undefined) { continue; }
    const others = spokes === undefined ? undefined : spokes.filter(spoke => spoke !== account);
    if (others !== undefined && others.length === 0) { continue; }
    const where = others === undefined
      ? 'the StackSet creates the role in every account of the organizational units'
      : `the role is also created in spoke account(s) ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}`;
    fail(fanout, `${name} is a customer managed policy of account ${account} (${show(arn!.replace(/\0/g, '*'))}), but ${where}, `
      + 'where IAM refuses to attach a policy of another account; create the policy in every spoke account and reference it by an ARN that resolves in each: '
      + 'iam.ManagedPolicy.fromManagedPolicyName in an environment-agnostic stack, or fromManagedPolicyArn with '
      + '`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/<name>`; or use an AWS managed policy');
  }
}

/** A resolved ARN as a string, with each deploy-time part (`Ref`, `Fn::GetAtt` ...) as a NUL character; undefined if it is not a string. */
function flattenArn(resolved: unknown): string | undefined {
  const arn = resolveIntrinsics(resolved, { unknown: '\0' });
  return typeof arn === 'string' ? arn : undefined;
}

/** The stack name, or a clear error naming the ids it comes from (aws-cdk-lib's own one names neither). */
function validStackName(scope: Construct, name: string, base: string): string {
  if (Token.isUnresolved(name)) { return name; }
  validateStackName(scope, name, `it is made of the stage name and the ids of the fan-out and its scopes ('${base}'): use ids of letters, digits and hyphens, short enough (e.g. '${base.replace(/[^A-Za-z0-9-]/g, '-')}')`);
  return name;
}

/** Stack name prefixes taken by fan-outs, per app: two fan-outs must not deploy stacks of the same name. */
const CLAIMED_STACK_NAMES = new WeakMap<IConstruct, Map<string, string>>();

function claimStackNames(fanout: Construct, base: string): void {
  const claimed = CLAIMED_STACK_NAMES.get(fanout.node.root) ?? new Map<string, string>();
  CLAIMED_STACK_NAMES.set(fanout.node.root, claimed);
  const other = claimed.get(base);
  if (other !== undefined) {
    fail(fanout, `its stacks would be named '${base}-...' like those of the fan-out '${other}'; give one of them another id`);
  }
  claimed.set(base, fanout.node.path);
}

/** CloudFormation's rule for a StackSet name. */
const STACK_SET_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]*$/;
const STACK_SET_NAME_MAX_LENGTH = 128;

/** Validates a literal StackSet name; `given` says whether the user wrote it (stackSetName) or it was derived. */
function validateStackSetName(scope: Construct, name: string, given: boolean): void {
  if (Token.isUnresolved(name)) { return; }
  const fix = given ? 'change stackSetName' : 'give a stackSetName';
  if (name.length > STACK_SET_NAME_MAX_LENGTH) {
    fail(scope, `the StackSet name ${show(name)} is ${name.length} characters long, over CloudFormation's ${STACK_SET_NAME_MAX_LENGTH}; ${fix} of at most ${STACK_SET_NAME_MAX_LENGTH} characters`);
  }
  if (!STACK_SET_NAME_PATTERN.test(name)) {
    fail(scope, `the StackSet name ${show(name)} must start with a letter and contain only letters, digits and hyphens; ${fix} that does`);
  }
}

/**
 * The spoke template of StackSet mode: a `CrossAccountRole` synthesized alone,
 * environment-agnostic, without bootstrap parameters, rules or CDK metadata.
 *
 * The role is built in an App of its own (its template must not hold a
 * reference to the user's app), so what the user's app would otherwise give
 * it or learn from it is carried over by hand: the app's context (feature
 * flags such as `@aws-cdk/aws-iam:minimizePolicies`) and the aspects of the
 * fan-out's scopes (tags, permissions boundaries ...) go in; the role's
 * warnings, infos and errors come out as annotations of the StackSet's stack
 * (inside the fan-out), with the same acknowledgement ids; thrown errors name the fan-out's path.
 *
 * It is synthesized twice, by the same function from the same props and
 * context: at construction without aspects (the role's errors fail there, with
 * the fan-out's path, and the hub needs its `assumeRoleActions`), and when the
 * StackSet's `TemplateBody` is resolved, with the aspects: only then, during
 * the user's synthesis, have they all been added.
 */
class SpokeTemplate {
  /** What the hub must be allowed to call on the role (see `CrossAccountRole.assumeRoleActions`). */
  public readonly assumeRoleActions: string[];
  /** The template without aspects, from construction. */
  private readonly bare: string;
  /** The annotations forwarded to the fan-out so far, by `<type> <message>`. */
  private readonly forwarded = new Set<string>();
  /** The last template with aspects, and the aspects it was synthesized with. */
  private last?: { readonly aspects: AspectApplication[]; readonly body: string };

  /**
   * @param fanout the fan-out, named in messages, whose scopes' context and aspects apply
   * @param target where the role's annotations go: a construct inside a stack, since the CLI
   *        shows only those (acknowledging them on the fan-out still works: it covers its children)
   * @param props the spoke role's props
   */
  constructor(
    private readonly fanout: Construct,
    private readonly target: Construct,
    private readonly props: ConstructorParameters<typeof CrossAccountRole>[2],
  ) {
    const { template, assumeRoleActions } = this.synthesize([]);
    this.bare = template;
    this.assumeRoleActions = assumeRoleActions;
    // the aspects can only make it larger: an oversized role fails now, not at synthesis
    if (Buffer.byteLength(this.bare) > TEMPLATE_BODY_MAX_BYTES) {
      fail(fanout, `the spoke template is ${Buffer.byteLength(this.bare)} bytes, over CloudFormation's ${TEMPLATE_BODY_MAX_BYTES} for an inline TemplateBody; move inline policies into a customer managed policy`);
    }
  }

  /**
   * The template as the StackSet's `TemplateBody`, with the aspects the
   * fan-out's scopes have now; synthesized again only when they change.
   */
  public templateBody(): string {
    const aspects = aspectsOf(this.fanout);
    if (aspects.length === 0) { return this.bare; }
    const last = this.last;
    if (last !== undefined && last.aspects.length === aspects.length
      && last.aspects.every((a, i) => a.aspect === aspects[i].aspect && a.priority === aspects[i].priority)) {
      return last.body;
    }
    const body = this.synthesize(aspects).template;
    this.last = { aspects, body };
    return body;
  }

  private synthesize(aspects: AspectApplication[]): { template: string; assumeRoleActions: string[] } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-fanout-spoke-'));
    try {
      const app = new App({
        analyticsReporting: false,
        autoSynth: false,
        outdir, // never the CLI's cdk.out (CDK_OUTDIR): this assembly is thrown away
        context: this.fanout.node.getAllContext(),
        postCliContext: { [cxapi.PATH_METADATA_ENABLE_CONTEXT]: false, [cxapi.DISABLE_METADATA_STACK_TRACE]: true },
      });
      const stack = new Stack(app, HIDDEN_STACK_ID, { synthesizer: new BootstraplessSynthesizer() });
      // on the stack, as a spoke stack of stack mode inherits them: they visit it and the role, not an app
      for (const { aspect, priority } of aspects) {
        Aspects.of(stack).add(aspect, { priority });
      }
      const role = new CrossAccountRole(stack, HIDDEN_ROLE_ID, this.props);
      const template = app.synth().getStackArtifact(stack.artifactId).template;
      this.forwardAnnotations(app);
      return { template: JSON.stringify(template), assumeRoleActions: role.assumeRoleActions };
    } catch (error) {
      if (error instanceof Error) {
        error.message = renamePaths(error.message, this.fanout);
      }
      throw error;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  /**
   * Copies the warnings, infos and errors of the hidden app's constructs onto
   * the fan-out, each once (the synthesis with aspects repeats those without).
   */
  private forwardAnnotations(app: App): void {
    const fanout = this.fanout;
    const target = this.target;
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (typeof entry.data !== 'string') { continue; }
        const key = `${entry.type} ${entry.data}`;
        if (this.forwarded.has(key)) { continue; }
        this.forwarded.add(key);
        const tagged = /^([\s\S]*) \[ack: ([^\]]+)\]$/.exec(entry.data);
        const message = `${renamePaths(tagged ? tagged[1] : entry.data, fanout)} (in the StackSet's spoke role)`;
        if (entry.type === cxschema.ArtifactMetadataEntryType.WARN) {
          if (tagged) {
            Annotations.of(target).addWarningV2(tagged[2], message);
          } else {
            Annotations.of(target).addWarning(message);
          }
        } else if (entry.type === cxschema.ArtifactMetadataEntryType.INFO) {
          if (tagged) {
            Annotations.of(target).addInfoV2(tagged[2], message);
          } else {
            Annotations.of(target).addInfo(message);
          }
        } else if (entry.type === cxschema.ArtifactMetadataEntryType.ERROR) {
          Annotations.of(target).addError(message);
        }
      }
    }
  }
}

/**
 * The aspects that would reach a construct in place of the fan-out, in their
 * order: those of its scopes from its stage (aspects do not cross a stage) down
 * to the fan-out itself, with their priorities.
 */
function aspectsOf(fanout: Construct): AspectApplication[] {
  const scopes = fanout.node.scopes;
  const stage = Stage.of(fanout);
  return scopes.slice(stage ? scopes.indexOf(stage) : 0).flatMap(scope => Aspects.of(scope).applied);
}

/** The ids of the hidden stack and role of `SpokeTemplate` (they name no logical ID: the stack's id is not part of one). */
const HIDDEN_STACK_ID = 'Spoke';
const HIDDEN_ROLE_ID = 'Role';

/** `Spoke/Role`, `Spoke/Role/Resource` ... as the fan-out's path, so that messages name a construct of the user's app. */
function renamePaths(message: string, fanout: Construct): string {
  return message.replace(new RegExp(`(?<![\\w/-])${HIDDEN_STACK_ID}/${HIDDEN_ROLE_ID}(/[\\w-]+)*`, 'g'), `${fanout.node.path} (StackSet spoke role)`);
}
