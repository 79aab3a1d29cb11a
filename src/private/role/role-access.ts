import { CfnMapping, CfnOutput, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { REGION_PATTERN, SIGNIN_HOSTS, STS_SET_SOURCE_IDENTITY } from '../constants';
import { fail, iamPatternMatches, show, validateExternalId, validateSessionName } from '../input/validation';

/** What the AWS CLI accepts as `mfa_serial`: STS's SerialNumber, 9 to 256 of `[\w+=/:,.@-]`. */
const MFA_SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;

/**
 * What a person needs to know of a role to use it (its outputs, an AWS CLI
 * profile, a console Switch Role link), as the `CrossAccountRole` holds it.
 */
export interface RoleAccess {
  /** The `CrossAccountRole`: outputs are created in it and errors name it. */
  readonly scope: Construct;
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's name when it is known at synth time: given, or generated. */
  readonly literalRoleName?: string;
  readonly externalIds: string[];
  readonly assumeRoleActions: string[];
  readonly requiresMfa: boolean;
  readonly roleSessionNamePattern?: string;
  /** The longest session a profile may ask for. */
  readonly maxSessionSeconds: number;
  /** The NoEcho parameter of the role's external ID trust, if it uses one. */
  readonly externalIdParameter?: CfnParameter;
}

/** What `cliProfile` is asked for (the public `CliProfileOptions` fit it as they are). */
export interface CliProfileRequest {
  readonly profileName: string;
  readonly sourceProfile: string;
  readonly mfaSerial?: string;
  readonly durationSeconds?: number;
  readonly region?: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
}

/** Adds the role's ARN, its Switch Role URL (where the partition has a console) and the external ID parameter's name as outputs, once. */
export function addRoleOutputs(role: RoleAccess): void {
  const scope = role.scope;
  if (scope.node.tryFindChild('Arn') !== undefined) { return; }
  new CfnOutput(scope, 'Arn', { value: role.roleArn, description: 'ARN of the cross-account role' });
  if (signinHost(Stack.of(scope)) !== undefined) {
    new CfnOutput(scope, 'SwitchRoleUrl', { value: switchRoleUrlOf(role), description: 'Console link that switches to the role' });
  }
  const parameter = role.externalIdParameter;
  if (parameter) {
    new CfnOutput(scope, 'ExternalIdParameterName', {
      value: parameter.logicalId,
      description: 'Name of the parameter that supplies the external ID (cdk deploy --parameters <name>=<id>)',
    });
  }
}

/** The `~/.aws/config` section of an AWS CLI profile that assumes the role (see `CrossAccountRole.cliProfile`). */
export function cliProfileOf(role: RoleAccess, options: CliProfileRequest): string {
  const scope = role.scope;
  const stack = Stack.of(scope);
  if (typeof options !== 'object' || options === null) {
    fail(scope, `cliProfile needs options, got ${options === null ? 'null' : typeof options}; write cliProfile({ profileName, sourceProfile })`);
  }
  const missing = (['profileName', 'sourceProfile'] as const).filter(key => typeof options[key] !== 'string');
  if (missing.length > 0) {
    fail(scope, `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required in the options of cliProfile, as a string; give { profileName, sourceProfile }`);
  }
  if (!/^[\w+=,.@-]+$/.test(options.profileName) || !/^[\w+=,.@-]+$/.test(options.sourceProfile)) {
    fail(scope, `profileName and sourceProfile must be letters, digits and + = , . @ - _, got ${show(options.profileName)} and ${show(options.sourceProfile)}`);
  }
  if (role.assumeRoleActions.includes(STS_SET_SOURCE_IDENTITY)) {
    fail(scope, 'the role requires a source identity, which an AWS CLI profile cannot set (the CLI has no config key for it); call \'aws sts assume-role --source-identity <you>\' or an SDK instead');
  }
  if (options.mfaSerial !== undefined && !Token.isUnresolved(options.mfaSerial) && !MFA_SERIAL_PATTERN.test(options.mfaSerial)) {
    fail(scope, `mfaSerial must be an MFA device ARN (arn:<partition>:iam::<account>:mfa/<device>) or a hardware token's serial number, got ${show(options.mfaSerial)}`);
  }
  if (options.region !== undefined && !REGION_PATTERN.test(options.region)) {
    fail(scope, `region must be an AWS region like 'eu-west-1', got ${show(options.region)}`);
  }
  if (role.literalRoleName === undefined) {
    fail(scope, `cliProfile needs the role's name at synth time; give the role a roleName, or stack '${stack.node.path}' env: { account, region }`);
  }
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    fail(scope, `cliProfile needs the role's account and region at synth time; give stack '${stack.node.path}' env: { account, region }`);
  }
  const partition = RegionInfo.get(stack.region).partition ?? 'aws';
  const lines = [
    `[profile ${options.profileName}]`,
    `role_arn = arn:${partition}:iam::${stack.account}:role/${role.literalRoleName}`,
    `source_profile = ${options.sourceProfile}`,
  ];
  const literalIds = role.externalIds.filter(id => !Token.isUnresolved(id));
  const externalId = options.externalId ?? literalIds[0];
  if (options.externalId !== undefined) {
    validateExternalId(scope, 'externalId', options.externalId);
  }
  if (role.externalIds.length > 0 && externalId === undefined) {
    fail(scope, 'the role\'s external ID is given at deploy time; pass it to cliProfile as externalId');
  }
  if (externalId !== undefined) { lines.push(`external_id = ${externalId}`); }
  if (role.requiresMfa && options.mfaSerial === undefined) {
    fail(scope, 'the role requires MFA; give cliProfile the caller\'s mfaSerial (arn:<partition>:iam::<account>:mfa/<device>)');
  }
  if (options.mfaSerial !== undefined) { lines.push(`mfa_serial = ${options.mfaSerial}`); }
  if (options.durationSeconds !== undefined) {
    const seconds = options.durationSeconds;
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > role.maxSessionSeconds) {
      fail(scope, `durationSeconds must be a whole number between 900 (15 minutes) and the role's maxSessionDuration (${role.maxSessionSeconds}), got ${seconds}`);
    }
    lines.push(`duration_seconds = ${seconds}`);
  }
  if (role.roleSessionNamePattern !== undefined && options.roleSessionName === undefined) {
    fail(scope, `the role requires session names matching ${show(role.roleSessionNamePattern)}; give cliProfile a roleSessionName`);
  }
  if (options.roleSessionName !== undefined) {
    validateSessionName(scope, 'roleSessionName', options.roleSessionName);
    const pattern = role.roleSessionNamePattern;
    if (pattern !== undefined && !Token.isUnresolved(pattern) && !pattern.includes('${') && !iamPatternMatches(pattern, options.roleSessionName)) {
      fail(scope, `roleSessionName ${show(options.roleSessionName)} does not match the role's roleSessionNamePattern ${show(pattern)}, so STS would refuse it`);
    }
    lines.push(`role_session_name = ${options.roleSessionName}`);
  }
  lines.push(`region = ${options.region ?? stack.region}`);
  return lines.join('\n') + '\n';
}

/** The console link that switches a signed-in user of a trusted account to the role (see `CrossAccountRole.switchRoleUrl`). */
export function switchRoleUrlOf(role: RoleAccess): string {
  const stack = Stack.of(role.scope);
  const host = signinHost(stack);
  if (host === undefined) {
    fail(role.scope, `the partition '${knownPartition(stack)}' of this role has no public console sign-in, so there is no Switch Role URL; use cliProfile() or the role's ARN`);
  }
  const account = stack.account;
  const name = role.literalRoleName !== undefined ? encodeURIComponent(role.literalRoleName) : role.roleName;
  const query = [`account=${account}`, `roleName=${name}`];
  if (role.literalRoleName !== undefined && !Token.isUnresolved(account)) {
    query.push(`displayName=${encodeURIComponent(`${role.literalRoleName}@${account}`)}`);
  }
  return `https://${host}/switchrole?${query.join('&')}`;
}

/** The stack's partition when it is known at synth time: a literal, or the partition of a literal region. */
function knownPartition(stack: Stack): string | undefined {
  if (!Token.isUnresolved(stack.partition)) { return stack.partition; }
  return Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
}

/**
 * The console sign-in host of the stack's partition; a lookup in a mapping when
 * the partition is only known at deploy time; undefined for a known partition
 * without a public console (the ISO partitions).
 */
function signinHost(stack: Stack): string | undefined {
  const partition = knownPartition(stack);
  if (partition !== undefined) {
    return SIGNIN_HOSTS[partition];
  }
  const id = 'CrossAccountRolesSigninHosts';
  const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(SIGNIN_HOSTS).map(([p, host]) => [p, { host }])),
  });
  return Fn.findInMap(mapping.logicalId, stack.partition, 'host');
}
