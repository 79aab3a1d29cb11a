import { COGNITO_AMR_NOT_CHECKED, COGNITO_AUDIENCE_NOT_PINNED } from './cognito';
import { CROSS_PARTITION_TRUST } from './cross-partition';
import { WEAK_EXTERNAL_ID, WILDCARD_EXTERNAL_ID } from './external-id';
import { MALFORMED_PRINCIPAL } from './malformed-principal';
import { MFA_IF_EXISTS } from './mfa-if-exists';
import { NOT_PRINCIPAL_TRUST } from './not-principal';
import { OIDC_AUDIENCE_NOT_PINNED, OIDC_SUBJECT_NOT_PINNED } from './oidc';
import { TRUST_OUTSIDE_PERIMETER } from './perimeter-consistency';
import { ROLE_CHAINING_SESSION_DURATION } from './role-chaining';
import { SAML_AUDIENCE_NOT_PINNED } from './saml';
import { SERVICE_WITHOUT_SOURCE_CONDITION } from './service-source';
import { TRUST_POLICY_OVER_DEFAULT_QUOTA, TRUST_POLICY_OVER_MAXIMUM } from './trust-policy-size';
import { TrustRule } from './types';
import { UNCONDITIONED_CROSS_ACCOUNT } from './unconditioned-cross-account';
import { UNREADABLE_TRUST_POLICY } from './unreadable-trust-policy';
import { WILDCARD_PRINCIPAL } from './wildcard-principal';
import { WILDCARD_STS_ACTION } from './wildcard-sts-action';

export * from './types';

/** Every trust rule, in the order of the rule table (docs/trust-checks.md). */
export const TRUST_RULES: TrustRule[] = [
  WILDCARD_PRINCIPAL,
  UNCONDITIONED_CROSS_ACCOUNT,
  MFA_IF_EXISTS,
  WILDCARD_EXTERNAL_ID,
  WEAK_EXTERNAL_ID,
  TRUST_POLICY_OVER_DEFAULT_QUOTA,
  TRUST_POLICY_OVER_MAXIMUM,
  WILDCARD_STS_ACTION,
  ROLE_CHAINING_SESSION_DURATION,
  OIDC_SUBJECT_NOT_PINNED,
  OIDC_AUDIENCE_NOT_PINNED,
  COGNITO_AUDIENCE_NOT_PINNED,
  COGNITO_AMR_NOT_CHECKED,
  SAML_AUDIENCE_NOT_PINNED,
  SERVICE_WITHOUT_SOURCE_CONDITION,
  CROSS_PARTITION_TRUST,
  NOT_PRINCIPAL_TRUST,
  UNREADABLE_TRUST_POLICY,
  MALFORMED_PRINCIPAL,
  TRUST_OUTSIDE_PERIMETER,
];
