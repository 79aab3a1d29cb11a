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

from aws_cdk import App, Duration, Environment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from cdk_cross_account_roles import (
    CrossAccountAccessAnalyzer,
    CrossAccountAccessAnalyzerType,
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

    # cdk-nag findings that are deliberate, each with its reason.
    acknowledge_nag_finding(audit.role, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
        "Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not")
    acknowledge_nag_finding(vendor.role, "AwsSolutions-IAM5[Resource::*]",
        "Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *")

    return [audit, vendor]


def acknowledge_nag_finding(construct: IConstruct, finding_id: str, reason: str) -> None:
    """Acknowledges one cdk-nag finding on a construct (see examples/example-app.ts for why it is written directly)."""
    construct.node.add_metadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {finding_id: reason})
