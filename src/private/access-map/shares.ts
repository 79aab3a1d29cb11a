/**
 * The second road in the access map: the resources the app shares with other
 * accounts through their resource policies (a bucket, a key, a queue ...),
 * whom with, and which actions, read from the same templates and the same
 * audit as the roles. Drawn as arrows from the grantee to the resource, the
 * actions summarised on the arrow.
 */
import { PolicyAudit } from '../audit/engine';
import { SHARED_RESOURCE_WORDS } from '../audit/resource-policies';
import { actionsSummary, DeclaredGrant, declaredSharesOf, isCrossAccountGrant } from '../organization/declared-shares';
import { compareText } from '../policy/compare';

/** A rule's finding on a role or a shared resource, as the map lists it. */
export interface MapFinding {
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
}

/** What the map names a template by (a `MapTemplate`'s). */
export interface NamedTemplate {
  /** How to name it in the map (a path relative to the cloud assembly). */
  readonly file: string;
  readonly stackName?: string;
  readonly region?: string;
}

/** A grant of a shared resource, as the map lists it. */
export interface MapGrant extends DeclaredGrant {
  /** The actions in short, as the arrow is labelled (`s3:GetObject, s3:ListBucket (+1)`). */
  readonly summary: string;
  /** What narrows the grant, in a word each (`principal ARN`, `org`, `OU`, `source`, `VPC endpoint`). */
  readonly labels: string[];
}

/** A resource shared with other accounts, as the map lists it. */
export interface MapShare {
  /** The account of the resource's stack; `unknown` when not literal, `StackSet instances` for a StackSet's resource. */
  readonly account: string;
  /** The resource's type: `AWS::S3::Bucket`, `AWS::KMS::Key` ... */
  readonly resourceType: string;
  /** The resource's name, or its logical ID when its name is generated at deploy time. */
  readonly resource: string;
  readonly resourceArn?: string;
  /** The logical ID of the resource that carries the policy (the bucket policy, the key, the permission). */
  readonly logicalId: string;
  readonly stack?: string;
  readonly template: string;
  readonly region?: string;
  /** The grants to other accounts (grants to services or to the resource's own account are not shares). */
  readonly grants: MapGrant[];
  /** The resource rules' findings on its policy, unacknowledged. */
  readonly findings: MapFinding[];
}

/** The conditions that narrow a grant (`DeclaredGrant.narrowedBy`), in a word each. */
const GUARD_LABELS: Record<string, string> = {
  'aws:PrincipalArn': 'principal ARN',
  'aws:PrincipalOrgID': 'org',
  'aws:PrincipalOrgPaths': 'OU',
  'aws:SourceArn': 'source',
  'aws:SourceAccount': 'source',
  'aws:SourceOwner': 'source',
  'aws:SourceVpce': 'VPC endpoint',
  'aws:SourceVpc': 'VPC endpoint',
  'kms:CallerAccount': 'caller account',
  'kms:ViaService': 'via service',
};

/** The shares of one template's resource policies (and of its StackSets' templates). */
export function sharesOf(t: NamedTemplate, policies: PolicyAudit[]): MapShare[] {
  return policies.filter(policy => policy.kind === 'resource').flatMap(policy =>
    declaredSharesOf(policy).flatMap(share => {
      const grants = share.grants.filter(grant => isCrossAccountGrant(share, grant)).map(grant =>
        ({ ...grant, summary: actionsSummary(grant), labels: Array.from(new Set(grant.narrowedBy.map(key => GUARD_LABELS[key]))) }));
      if (grants.length === 0) { return []; }
      return [{
        account: policy.inStackSet ? 'StackSet instances' : share.account ?? 'unknown',
        resourceType: share.resource.type,
        resource: share.resource.name ?? share.resource.logicalId ?? policy.policyLogicalId,
        ...(share.resource.arn !== undefined ? { resourceArn: share.resource.arn } : {}),
        logicalId: policy.policyLogicalId,
        ...(t.stackName !== undefined ? { stack: t.stackName } : {}),
        template: t.file,
        ...(t.region !== undefined ? { region: t.region } : {}),
        grants,
        findings: policy.findings.filter(f => f.acknowledgedReason === undefined)
          .map(f => ({ rule: f.ruleId, severity: f.severity, message: f.messages.join('; ') })),
      }];
    }));
}

/** Orders shares by account, resource, template and logical ID. */
export function compareShares(a: MapShare, b: MapShare): number {
  return compareText(a.account, b.account) || compareText(a.resourceType, b.resourceType) || compareText(a.resource, b.resource)
    || compareText(a.template, b.template) || compareText(a.logicalId, b.logicalId);
}

/** A shared resource in words: `bucket my-data`. */
export function shareLabel(share: MapShare): string {
  return `${SHARED_RESOURCE_WORDS[share.resourceType] ?? share.resourceType} ${share.resource}`;
}
