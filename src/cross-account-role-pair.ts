import * as fs from 'fs';
import * as path from 'path';
import { Stack, StackProps, Stage, Token, attachCustomSynthesis } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AssumeRolePolicy } from './assume-role-policy';
import { AssumerOptions } from './assumers';
import { CliProfileOptions, CrossAccountRole, CrossAccountRoleOptions } from './cross-account-role';
import { ExternalIdTrust } from './external-id-trust';
import { checkProps, everyKey, refuseStackScope, RequiredKeys } from './private/input/props';
import { fail, show, validateAccountId, validateStackName } from './private/input/validation';
import { accountsOfPrincipalArns } from './private/policy/trust';
import { roleOptionsOf } from './private/role/role-options';
import { assumersIn } from './private/trusted/assumers';

/** The props a plain JavaScript caller must give (the compiler keeps the list complete). */
const REQUIRED_PROPS = everyKey<RequiredKeys<CrossAccountRolePairProps>>()(['trustingAccount', 'trustedAccount', 'roleName']);

/**
 * Properties of a `CrossAccountRolePair`: the two accounts, the role's name,
 * whom the trusted side lets assume it, and every `CrossAccountRoleOptions`
 * (conditions, session controls, permissions) for the role.
 *
 * With `requireMfa` or `maxMfaAge`, the assume permission requires MFA too.
 */
export interface CrossAccountRolePairProps extends CrossAccountRoleOptions, AssumerOptions {
  /** The account that owns the role (and the resources it gives access to). */
  readonly trustingAccount: string;

  /** The account whose principals assume the role. */
  readonly trustedAccount: string;

  /**
   * The region of both stacks: us-east-1 unless given.
   *
   * IAM is global, so the role works from every region; this is only where
   * the two stacks deploy (and where `cdk deploy` needs each account bootstrapped).
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /**
   * The role's name, so that humans and scripts in the trusted account know its ARN.
   */
  readonly roleName: string;


  /**
   * External IDs the trusted account's callers must pass.
   *
   * @default - no external ID, unless `externalIdParameter` is true
   */
  readonly externalIds?: string[];

  /**
   * Require an external ID supplied at deploy time through a NoEcho parameter
   * of the trusting stack, so that it never sits in the repository.
   *
   * The parameter is named `ExternalId`:
   * `cdk deploy <trusting stack> --parameters ExternalId=<id>`.
   *
   * @default false
   */
  readonly externalIdParameter?: boolean;

  /**
   * Only these principals of the trusted account may assume the role (`aws:PrincipalArn`).
   *
   * @default - any principal of the trusted account that has the assume permission
   */
  readonly trustedPrincipalArns?: string[];


  /**
   * Name of the trusting account's stack.
   *
   * @default - `<id>-Trusting`, prefixed by the stage name inside a stage
   */
  readonly trustingStackName?: string;

  /**
   * Name of the trusted account's stack.
   *
   * @default - `<id>-Trusted`, prefixed by the stage name inside a stage
   */
  readonly trustedStackName?: string;

  /**
   * Further properties of both stacks (tags, synthesizer, termination protection ...).
   * `env` and `stackName` are set by the pair.
   *
   * @default - none
   */
  readonly stackProps?: StackProps;

  /**
   * Add outputs to the trusting stack: the role's ARN, the console Switch Role
   * URL and, for a deploy-time external ID, the parameter's name.
   *
   * @default true
   */
  readonly outputs?: boolean;

  /**
   * Write an AWS CLI profile that assumes the role next to the templates, as
   * `cdk.out/<pair path>.aws-config` at synthesis: the pair's construct path
   * with `/` written as `-` (`AuditAccess.aws-config` for a pair `AuditAccess`
   * of the app). Inside a `Stage`, the path is relative to the stage and the
   * file lands in the stage's assembly, `cdk.out/assembly-<stage>/`.
   *
   * The role must not require a source identity: an AWS CLI profile cannot set one.
   *
   * @default - no file is written; `cliProfile()` returns the text
   */
  readonly cliProfile?: CliProfileOptions;
}

/**
 * A cross-account role and its assume permission as two stacks, one per account.
 *
 * Creates `trustingStack` (the `CrossAccountRole`, in `trustingAccount`) and
 * `trustedStack` (the `AssumeRolePolicy`, in `trustedAccount`), wired by the
 * role's literal ARN. Unless existing assumers are named, an IAM group is
 * created in the trusted account; add users to it to let them assume the role.
 *
 * The trusted stack depends on the trusting stack: deploy the trusting stack
 * first (with the trusting account's credentials), then the trusted stack with
 * `--exclusively` (with the trusted account's credentials).
 */
export class CrossAccountRolePair extends Construct {
  /** The stack for the trusting account: the role. */
  public readonly trustingStack: Stack;

  /** The stack for the trusted account: the assume permission. */
  public readonly trustedStack: Stack;

  /** The role, in `trustingStack`. */
  public readonly role: CrossAccountRole;

  /** The assume permission, in `trustedStack`. */
  public readonly assumeRolePolicy: AssumeRolePolicy;

  /**
   * The external ID trust, when external IDs are required.
   *
   * @default - undefined without external IDs
   */
  public readonly externalIdTrust?: ExternalIdTrust;

  /**
   * The group created in the trusted account for the assumers.
   *
   * @default - undefined when existing assumers were named
   */
  public readonly assumerGroup?: iam.Group;

  constructor(scope: Construct, id: string, props: CrossAccountRolePairProps) {
    super(scope, id);
    checkProps(this, 'CrossAccountRolePair', props, REQUIRED_PROPS);
    refuseStackScope(this, 'CrossAccountRolePair');
    for (const [name, account] of [['trustingAccount', props.trustingAccount], ['trustedAccount', props.trustedAccount]]) {
      if (Token.isUnresolved(account)) {
        fail(this, `${name} must be a literal 12-digit account ID, got a deploy-time value; each stack of the pair is deployed to its account, and the trusted stack needs the role's ARN as a literal`);
      }
      validateAccountId(this, name, account);
    }
    if (props.externalIds !== undefined && props.externalIds.length === 0) {
      fail(this, 'externalIds is an empty list, which would require no external ID at all; give at least one external ID, or set externalIdParameter: true to supply it at deploy time');
    }
    if (props.externalIds !== undefined && props.externalIdParameter) {
      fail(this, 'externalIds and externalIdParameter are both set; give the IDs literally or at deploy time, not both');
    }

    const stage = Stage.of(this);
    const prefix = stage?.stageName ? `${stage.stageName}-` : '';
    const region = props.region ?? 'us-east-1';
    const trustingStackName = props.trustingStackName ?? `${prefix}${id}-Trusting`;
    const trustedStackName = props.trustedStackName ?? `${prefix}${id}-Trusted`;
    // Name the part of a default stack name that is wrong: the stage's name or the pair's id.
    const culprit = stage?.stageName && !/^[A-Za-z][A-Za-z0-9-]*$/.test(stage.stageName)
      ? `a stage name of letters, digits and hyphens (got ${show(stage.stageName)})`
      : `a construct id of letters, digits and hyphens for the pair (got ${show(id)})`;
    validateStackName(this, trustingStackName, props.trustingStackName ? 'change trustingStackName' : `use ${culprit}, or set trustingStackName`);
    validateStackName(this, trustedStackName, props.trustedStackName ? 'change trustedStackName' : `use ${culprit}, or set trustedStackName`);
    if (props.trustedPrincipalArns !== undefined && props.trustedPrincipalArns.length === 0) {
      fail(this, 'trustedPrincipalArns is an empty list; give the principal ARNs of the trusted account, or leave it out to trust the whole account');
    }
    // Principal ARNs narrow the trusted account: one of another account would trust that account instead.
    accountsOfPrincipalArns(this, 'trustedPrincipalArns', props.trustedPrincipalArns ?? []).forEach(account => {
      if (!Token.isUnresolved(account) && account !== props.trustedAccount) {
        fail(this, `trustedPrincipalArns must be principals of the trusted account ${props.trustedAccount}, got one in ${show(account)}; the assume permission is only created in the trusted account`);
      }
    });
    this.trustingStack = new Stack(this, 'Trusting', {
      ...props.stackProps,
      stackName: trustingStackName,
      env: { account: props.trustingAccount, region },
      description: props.stackProps?.description ?? `Cross-account role ${props.roleName} trusting account ${props.trustedAccount}`,
    });
    this.trustedStack = new Stack(this, 'Trusted', {
      ...props.stackProps,
      stackName: trustedStackName,
      env: { account: props.trustedAccount, region },
      description: props.stackProps?.description ?? `Permission to assume ${props.roleName} in account ${props.trustingAccount}`,
    });

    const wantsExternalId = props.externalIdParameter === true || props.externalIds !== undefined;
    if (wantsExternalId) {
      this.externalIdTrust = new ExternalIdTrust(this.trustingStack, 'ExternalIdTrust', {
        trustedAccount: props.trustedAccount,
        externalIds: props.externalIds,
        trustedPrincipalArns: props.trustedPrincipalArns,
        parameterName: props.externalIdParameter ? 'ExternalId' : undefined,
      });
    }

    this.role = new CrossAccountRole(this.trustingStack, 'Role', {
      ...roleOptionsOf(props),
      roleName: props.roleName,
      description: props.description ?? `Assumed from account ${props.trustedAccount}`,
      trustedAccounts: this.externalIdTrust || props.trustedPrincipalArns ? undefined : [props.trustedAccount],
      trustedPrincipalArns: this.externalIdTrust ? undefined : props.trustedPrincipalArns,
      externalIdTrust: this.externalIdTrust,
    });
    if (props.outputs ?? true) {
      this.role.addOutputs();
    }

    const assumers = assumersIn(this.trustedStack, props, this);
    this.assumerGroup = assumers.createdGroup;

    this.assumeRolePolicy = new AssumeRolePolicy(this.trustedStack, 'AssumeRolePolicy', {
      targetRoles: [this.role],
      users: assumers.users,
      groups: assumers.groups,
      roles: assumers.roles,
      requireMfa: props.requireMfa ?? props.maxMfaAge !== undefined,
      description: `Allows assuming ${props.roleName} in account ${props.trustingAccount}`,
    });

    if (props.cliProfile !== undefined) {
      const text = this.cliProfile(props.cliProfile);
      // Named after the pair's path inside its stage (`Team/Access` → `Team-Access.aws-config`), so pairs never share a file.
      const stagePath = stage?.node.path ?? '';
      const fileName = `${this.node.path.slice(stagePath.length).replace(/^\//, '').split('/').join('-')}.aws-config`;
      // Written into the cloud assembly at synthesis, next to the templates.
      attachCustomSynthesis(this, {
        onSynthesize: session => fs.writeFileSync(path.join(session.assembly.outdir, fileName), text),
      });
    }
  }

  /**
   * The `~/.aws/config` section of an AWS CLI profile that assumes the pair's role.
   *
   * Print it, or set the `cliProfile` prop to have it written next to the templates.
   */
  public cliProfile(options: CliProfileOptions): string {
    return this.role.cliProfile(options);
  }
}
