package com.example.crossaccount;

import io.github.cdk_cross_account_roles.CrossAccountAccessAnalyzer;
import io.github.cdk_cross_account_roles.CrossAccountAccessAnalyzerType;
import io.github.cdk_cross_account_roles.CrossAccountRolePair;
import io.github.cdk_cross_account_roles.OrganizationTrustPerimeter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.IConstruct;

/**
 * The example app's content, in Java: the same stacks as examples/example-app.ts.
 *
 * <p>Kept parallel to the TypeScript file, so that a change there is easy to follow here.
 * test/languages.test.ts compares every template this app synthesizes with the TypeScript app's.
 *
 * <p>Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
 * 333333333333, gets access with an external ID supplied at deploy time;
 * 999999999999 is the organisation's management account).
 */
public final class ExampleStacks {
    private ExampleStacks() {
    }

    /** Adds the example pairs to an app. */
    public static List<CrossAccountRolePair> buildExampleApp(final App app) {

        final String trustingAccount = env("TRUSTING_ACCOUNT", "111111111111");
        final String trustedAccount = env("TRUSTED_ACCOUNT", "222222222222");
        final String vendorAccount = env("VENDOR_ACCOUNT", "333333333333");
        final String managementAccount = env("MANAGEMENT_ACCOUNT", "999999999999");
        final String organizationId = env("ORGANIZATION_ID", "o-a1b2c3d4e5");
        final String organizationRoot = env("ORGANIZATION_ROOT", "r-ab12");

        // Humans of the tooling account read the workload account, with a fresh MFA sign-in.
        CrossAccountRolePair audit = CrossAccountRolePair.Builder.create(app, "AuditAccess")
                .trustingAccount(trustingAccount)
                .trustedAccount(trustedAccount)
                .region("eu-west-1")
                .roleName("AuditReadOnly")
                .description("Read-only audit access for the security team")
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("ReadOnlyAccess")))
                .requireMfa(true)
                .maxMfaAge(Duration.hours(1))
                .maxSessionDuration(Duration.hours(4))
                .assumerGroupName("workload-auditors")
                .build();

        // A vendor's account reads billing data; the external ID is given at deploy time.
        CrossAccountRolePair vendor = CrossAccountRolePair.Builder.create(app, "VendorAccess")
                .trustingAccount(trustingAccount)
                .trustedAccount(vendorAccount)
                .region("eu-west-1")
                .roleName("VendorCostExplorer")
                .externalIdParameter(true)
                .inlinePolicies(Map.of(
                        "CostExplorerRead", PolicyDocument.Builder.create()
                                .statements(List.of(PolicyStatement.Builder.create()
                                        .actions(List.of("ce:GetCostAndUsage", "ce:GetDimensionValues"))
                                        .resources(List.of("*"))
                                        .build()))
                                .build()))
                .build();

        // The organisation's perimeter, in the management account: no role of a member account can be
        // assumed from outside the organisation, but by the vendor above (found in the app, with its
        // external ID) and AWS services; only the CDK deployment role may change a trust policy.
        Stack management = Stack.Builder.create(app, "OrganizationPerimeter")
                .env(Environment.builder().account(managementAccount).region("us-east-1").build())
                .description("The organisation trust perimeter: an RCP and an SCP generated from the app's declared trusts")
                .build();
        OrganizationTrustPerimeter.Builder.create(management, "Perimeter")
                .organizationId(organizationId)
                .targetIds(List.of(organizationRoot))
                .memberAccounts(List.of(trustingAccount, trustedAccount))
                .protectTrustPolicies(true)
                .build();
        // IAM Access Analyzer for the whole organisation, whose archive rules are the trusts this app
        // declares: a finding that stays active is cross-account access that no stack of the app declares.
        CrossAccountAccessAnalyzer.Builder.create(management, "AccessAnalyzer")
                .analyzerType(CrossAccountAccessAnalyzerType.ORGANIZATION)
                .analyzerName("declared-cross-account-trusts")
                .build();

        // cdk-nag findings that are deliberate, each with its reason.
        acknowledgeNagFinding(audit.getRole(), "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
                "Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not");
        acknowledgeNagFinding(vendor.getRole(), "AwsSolutions-IAM5[Resource::*]",
                "Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *");

        return List.of(audit, vendor);
    }

    /** Acknowledges one cdk-nag finding on a construct (see examples/example-app.ts for why it is written directly). */
    private static void acknowledgeNagFinding(final IConstruct construct, final String findingId, final String reason) {
        construct.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(findingId, reason));
    }

    private static String env(final String name, final String fallback) {
        return Optional.ofNullable(System.getenv(name)).orElse(fallback);
    }
}
