"""The example app's content, in Python: the same stacks as examples/example-app.ts.

Kept line for line parallel to the TypeScript file, so that a change there is
easy to follow here. test/languages.test.ts compares every template this app
synthesizes with the TypeScript app's.

Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
333333333333, gets access with an external ID supplied at deploy time;
999999999999 is the organisation's management account).
"""
import os
from typing import List

from aws_cdk import App, Duration, Environment, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from cdk_cross_account_roles import (
    CrossAccountAccessAnalyzer,
    CrossAccountAccessAnalyzerType,
    CrossAccountGrants,
    CrossAccountRolePair,
    OrganizationTrustPerimeter,
)


def build_example_app(app: App) -> List[CrossAccountRolePair]:
    """Adds the example pairs to an app."""

    trusting_account = os.environ.get("TRUSTING_ACCOUNT", "111111111111")
    trusted_account = os.environ.get("TRUSTED_ACCOUNT", "222222222222")
    vendor_account = os.environ.get("VENDOR_ACCOUNT", "333333333333")
    management_account = os.environ.get("MANAGEMENT_ACCOUNT", "999999999999")
    organization_id = os.environ.get("ORGANIZATION_ID", "o-a1b2c3d4e5")
    organization_root = os.environ.get("ORGANIZATION_ROOT", "r-ab12")

    # Humans of the tooling account read the workload account, with a fresh MFA sign-in.
    audit = CrossAccountRolePair(app, "AuditAccess",
        trusting_account=trusting_account,
        trusted_account=trusted_account,
        region="eu-west-1",
        role_name="AuditReadOnly",
        description="Read-only audit access for the security team",
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
        require_mfa=True,
        max_mfa_age=Duration.hours(1),
        max_session_duration=Duration.hours(4),
        assumer_group_name="workload-auditors",
    )

    # A vendor's account reads billing data; the external ID is given at deploy time.
    vendor = CrossAccountRolePair(app, "VendorAccess",
        trusting_account=trusting_account,
        trusted_account=vendor_account,
        region="eu-west-1",
        role_name="VendorCostExplorer",
        external_id_parameter=True,
        inline_policies={
            "CostExplorerRead": iam.PolicyDocument(
                statements=[iam.PolicyStatement(
                    actions=["ce:GetCostAndUsage", "ce:GetDimensionValues"],
                    resources=["*"],
                )],
            ),
        },
    )

    # Shared reports: the workload account's KMS-encrypted bucket, read by an analytics role of the
    # tooling account without assuming a role. The bucket's and the key's policies name the tooling
    # account, narrowed to that role and the organisation; the role's policy names the bucket, and
    # the key only through S3 for this bucket's objects.
    owner = Stack(app, "SharedReports-Owner",
        env=Environment(account=trusting_account, region="eu-west-1"),
        description="Shared reports: a KMS-encrypted bucket whose policy lets one role of the analytics account read it",
    )
    # S3 delivers access logs under a bucket policy, not the log-delivery ACL (the flag new CDK projects turn on).
    owner.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
    reports_key = kms.Key(owner, "ReportsKey", enable_key_rotation=True, description="Encrypts the shared reports")
    # Only AWS services may create grants on the key (S3 needs none).
    reports_key.add_to_resource_policy(iam.PolicyStatement(
        sid="DenyGrantsNotForAwsResources",
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=["kms:CreateGrant"],
        resources=["*"],
        conditions={"BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}},
    ))
    lifecycle_rules = [s3.LifecycleRule(
        noncurrent_version_expiration=Duration.days(90),
        abort_incomplete_multipart_upload_after=Duration.days(7),
    )]
    access_logs = s3.Bucket(owner, "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=lifecycle_rules,
    )
    reports = s3.Bucket(owner, "Reports",
        bucket_name=f"shared-reports-{trusting_account}",
        encryption_key=reports_key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=lifecycle_rules,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="reports/",
    )
    reader = Stack(app, "SharedReports-Reader",
        env=Environment(account=trusted_account, region="eu-west-1"),
        description="Shared reports: the analytics role that reads them, with its own side of the grant",
    )
    analyst = iam.Role(reader, "ReportsReader",
        role_name="SharedReportsReader",
        description="Reads the shared reports of the workload account",
        assumed_by=iam.AccountRootPrincipal(),
    )
    CrossAccountGrants.bucket_read(reports, analyst, organization_id=organization_id)

    # The organisation's perimeter, in the management account: no role of a member account can be
    # assumed from outside the organisation, but by the vendor above (found in the app, with its
    # external ID) and AWS services; only the CDK deployment role may change a trust policy.
    management = Stack(app, "OrganizationPerimeter",
        env=Environment(account=management_account, region="us-east-1"),
        description="The organisation trust perimeter: an RCP and an SCP generated from the app's declared trusts",
    )
    OrganizationTrustPerimeter(management, "Perimeter",
        organization_id=organization_id,
        target_ids=[organization_root],
        member_accounts=[trusting_account, trusted_account],
        protect_trust_policies=True,
    )
    # IAM Access Analyzer for the whole organisation, whose archive rules are the trusts this app
    # declares: a finding that stays active is cross-account access that no stack of the app declares.
    CrossAccountAccessAnalyzer(management, "AccessAnalyzer",
        analyzer_type=CrossAccountAccessAnalyzerType.ORGANIZATION,
        analyzer_name="declared-cross-account-trusts",
    )

    # Findings of the validation plugins (cdk-nag, the Control Tower controls) that are deliberate, each with its reason.
    acknowledge_finding(audit.role, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
        "Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not")
    acknowledge_finding(vendor.role, "AwsSolutions-IAM5[Resource::*]",
        "Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *")
    # (cdk-nag names a resource as the template spells it: the partition literal where the stack writes one.)
    partition = "<AWS::Partition>" if Token.is_unresolved(reader.partition) else reader.partition
    acknowledge_finding(analyst, f"AwsSolutions-IAM5[Resource::arn:{partition}:s3:::shared-reports-{trusting_account}/*]",
        "The role reads the reports, which are every object of the shared bucket, named by the bucket's exact ARN")
    acknowledge_finding(analyst, f"AwsSolutions-IAM5[Resource::arn:{partition}:kms:eu-west-1:{trusting_account}:key/*]",
        "The reports key's ARN is only known once its stack is deployed: the statement allows kms:Decrypt only through S3 (kms:ViaService) for this bucket's objects (kms:EncryptionContext:aws:s3:arn), and only the key policy of the reports key lets this role in")
    for bucket in [reports, access_logs]:
        acknowledge_finding(bucket, "cdk-validator-cfnguard::s3_event_notifications_enabled_check",
            "Nothing consumes this bucket's object events (reports are read on demand, logs when needed), so the example configures no notification target")
        acknowledge_finding(bucket, "cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check",
            "Objects are replaced as they are recomputed; versioning keeps past versions for 90 days, where Object Lock would keep every version undeletable")
    acknowledge_finding(access_logs, "cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check",
        "S3 delivers server access logs only to a bucket encrypted with S3 managed keys (SSE-S3); SSE-KMS is not supported for a log destination")
    acknowledge_finding(access_logs, "cdk-validator-cfnguard::s3_bucket_logging_enabled_check",
        "This bucket receives the reports bucket's access logs: logging its own access would need yet another log bucket")

    return [audit, vendor]


def acknowledge_finding(construct: IConstruct, finding_id: str, reason: str) -> None:
    """Acknowledges one finding of a validation plugin on a construct (see examples/example-app.ts for why it is written directly)."""
    construct.node.add_metadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {finding_id: reason})
