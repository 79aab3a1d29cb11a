import { CfnParameter, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  EXTERNAL_ID_CFN_ALLOWED_PATTERN,
  EXTERNAL_ID_MAX_LENGTH,
  EXTERNAL_ID_MIN_LENGTH,
} from './private/constants';
import { checkProps, everyKey, RequiredKeys } from './private/input/props';
import { fail, show, unique, validateAccountId, validateExternalId } from './private/input/validation';
import { CrossAccountTrustPrincipal, accountsOfPrincipalArns } from './private/policy/trust';

/**
 * Properties of an `ExternalIdTrust`.
 */
export interface ExternalIdTrustProps {
  /**
   * The account whose principals are trusted (the vendor's or the other team's account).
   *
   * Must be a 12-digit AWS account ID.
   */
  readonly trustedAccount: string;

  /**
   * The external IDs a caller must pass as `ExternalId` to `sts:AssumeRole`.
   *
   * Any one of them is accepted (`StringEquals sts:ExternalId` with a list).
   * Each must be 2 to 1,224 characters of letters, digits and `+=,.@:/-_`.
   *
   * Leave it out to keep the ID out of the repository: a NoEcho CloudFormation
   * parameter is created instead, and the ID is given at deploy time with
   * `cdk deploy --parameters <ParameterName>=<id>`.
   *
   * @default - a NoEcho `CfnParameter` supplies the external ID at deploy time
   */
  readonly externalIds?: string[];

  /**
   * Only these principals of the trusted account may assume the role.
   *
   * IAM role or user ARNs in `trustedAccount` (wildcards allowed in the name,
   * e.g. `arn:aws:iam::123456789012:role/vendor-*`). They are matched with an
   * `aws:PrincipalArn` condition while `Principal` names the account root, so
   * the trust deploys even before those principals exist.
   *
   * @default - any principal of the trusted account that its own account allows
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Description of the external ID parameter, shown by the CloudFormation console and `cdk deploy`.
   *
   * Ignored when `externalIds` are given (no parameter is created).
   *
   * @default - says which account must pass the external ID
   */
  readonly parameterDescription?: string;

  /**
   * Logical ID of the external ID parameter, the name given to
   * `cdk deploy --parameters <name>=<external id>`.
   *
   * Must be unique in the stack. Ignored when `externalIds` are given.
   *
   * @default - generated from this construct's path (e.g. `VendorTrustExternalId1A2B3C4D`)
   */
  readonly parameterName?: string;
}

/**
 * A trust relationship with one trusted account, guarded by external ID(s).
 *
 * The external ID is the defence against the confused deputy: a vendor that
 * assumes roles in many customers' accounts passes the ID that identifies this
 * customer, so another customer cannot trick the vendor into using this role.
 *
 * Use `principal` as a role's `assumedBy`, or pass the whole construct to
 * `CrossAccountRole` as `externalIdTrust`. Create it in the trusting stack (the
 * stack of the role), because the external ID parameter belongs to that stack.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
 */
export class ExternalIdTrust extends Construct {
  /** The trusted account ID. */
  public readonly trustedAccount: string;

  /**
   * The accepted external IDs: the literal ones given, or a single token that
   * resolves to the deploy-time parameter.
   */
  public readonly externalIds: string[];

  /** The principal ARNs of the trusted account the trust is narrowed to (may be empty). */
  public readonly trustedPrincipalArns: string[];

  /**
   * The principal to trust: the trusted account's root with the
   * `sts:ExternalId` (and `aws:PrincipalArn`) conditions.
   */
  public readonly principal: iam.IPrincipal;

  /**
   * The NoEcho parameter that supplies the external ID at deploy time.
   *
   * @default - undefined when `externalIds` were given
   */
  public readonly externalIdParameter?: CfnParameter;

  constructor(scope: Construct, id: string, props: ExternalIdTrustProps) {
    super(scope, id);
    checkProps(this, 'ExternalIdTrust', props, everyKey<RequiredKeys<ExternalIdTrustProps>>()(['trustedAccount']));

    // Parse, then build: every input is checked before the parameter is created.
    validateAccountId(this, 'trustedAccount', props.trustedAccount);
    if (props.externalIds !== undefined && props.externalIds.length === 0) {
      fail(this, 'externalIds is an empty list; give at least one external ID, or leave externalIds out to supply it at deploy time as a NoEcho parameter');
    }
    (props.externalIds ?? []).forEach((externalId, i) => validateExternalId(this, `externalIds[${i}]`, externalId));
    if (props.externalIds === undefined && props.parameterName !== undefined && !/^[A-Za-z0-9]{1,255}$/.test(props.parameterName)) {
      fail(this, `parameterName must be 1 to 255 letters and digits (a CloudFormation logical ID), got ${show(props.parameterName)}`);
    }
    const trustedPrincipalArns = unique(props.trustedPrincipalArns ?? []);
    for (const account of accountsOfPrincipalArns(this, 'trustedPrincipalArns', trustedPrincipalArns)) {
      if (!Token.isUnresolved(account) && !Token.isUnresolved(props.trustedAccount) && account !== props.trustedAccount) {
        fail(this, `trustedPrincipalArns must be principals of the trusted account ${props.trustedAccount}, got one in ${show(account)}; use a separate ExternalIdTrust for each account`);
      }
    }

    this.trustedAccount = props.trustedAccount;
    this.trustedPrincipalArns = trustedPrincipalArns;
    if (props.externalIds !== undefined) {
      this.externalIds = unique(props.externalIds);
    } else {
      this.externalIdParameter = new CfnParameter(this, 'ExternalId', {
        type: 'String',
        noEcho: true,
        minLength: EXTERNAL_ID_MIN_LENGTH,
        maxLength: EXTERNAL_ID_MAX_LENGTH,
        allowedPattern: EXTERNAL_ID_CFN_ALLOWED_PATTERN,
        constraintDescription: `must be ${EXTERNAL_ID_MIN_LENGTH} to ${EXTERNAL_ID_MAX_LENGTH} characters of letters, digits and + = , . @ : / - _`,
        description: props.parameterDescription
          ?? `External ID that account ${props.trustedAccount} must pass to sts:AssumeRole (kept out of the template: NoEcho)`,
      });
      if (props.parameterName !== undefined) {
        this.externalIdParameter.overrideLogicalId(props.parameterName);
      }
      this.externalIds = [this.externalIdParameter.valueAsString];
    }

    this.principal = new CrossAccountTrustPrincipal({
      accounts: [this.trustedAccount],
      principalArns: this.trustedPrincipalArns,
      externalIds: this.externalIds,
      requireMfa: false,
    });
  }
}
