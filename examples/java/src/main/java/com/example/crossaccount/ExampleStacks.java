package com.example.crossaccount;

import io.github.cdk_cross_account_roles.CrossAccountAccessAnalyzer;
import io.github.cdk_cross_account_roles.CrossAccountAccessAnalyzerType;
import io.github.cdk_cross_account_roles.CrossAccountGrantOptions;
import io.github.cdk_cross_account_roles.CrossAccountGrants;
import io.github.cdk_cross_account_roles.CrossAccountRolePair;
import io.github.cdk_cross_account_roles.OrganizationTrustPerimeter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
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

        // Shared reports: the workload account's KMS-encrypted bucket, read by an analytics role of the
        // tooling account without assuming a role. The bucket's and the key's policies name the tooling
        // account, narrowed to that role and the organisation; the role's policy names the bucket, and
        // the key only through S3 for this bucket's objects.
        Stack owner = Stack.Builder.create(app, "SharedReports-Owner")
                .env(Environment.builder().account(trustingAccount).region("eu-west-1").build())
                .description("Shared reports: a KMS-encrypted bucket whose policy lets one role of the analytics account read it")
                .build();
        // S3 delivers access logs under a bucket policy, not the log-delivery ACL (the flag new CDK projects turn on).
        owner.getNode().setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
        Key reportsKey = Key.Builder.create(owner, "ReportsKey").enableKeyRotation(true).description("Encrypts the shared reports").build();
        // Only AWS services may create grants on the key (S3 needs none).
        reportsKey.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("DenyGrantsNotForAwsResources")
                .effect(Effect.DENY)
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("kms:CreateGrant"))
                .resources(List.of("*"))
                .conditions(Map.of("BoolIfExists", Map.of("kms:GrantIsForAWSResource", "false", "aws:PrincipalIsAWSService", "false")))
                .build());
        List<LifecycleRule> lifecycleRules = List.of(LifecycleRule.builder()
                .noncurrentVersionExpiration(Duration.days(90))
                .abortIncompleteMultipartUploadAfter(Duration.days(7))
                .build());
        Bucket accessLogs = Bucket.Builder.create(owner, "AccessLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(lifecycleRules)
                .build();
        Bucket reports = Bucket.Builder.create(owner, "Reports")
                .bucketName("shared-reports-" + trustingAccount)
                .encryptionKey(reportsKey)
                .bucketKeyEnabled(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(lifecycleRules)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix("reports/")
                .build();
        Stack reader = Stack.Builder.create(app, "SharedReports-Reader")
                .env(Environment.builder().account(trustedAccount).region("eu-west-1").build())
                .description("Shared reports: the analytics role that reads them, with its own side of the grant")
                .build();
        Role analyst = Role.Builder.create(reader, "ReportsReader")
                .roleName("SharedReportsReader")
                .description("Reads the shared reports of the workload account")
                .assumedBy(new AccountRootPrincipal())
                .build();
        CrossAccountGrants.bucketRead(reports, analyst, CrossAccountGrantOptions.builder().organizationId(organizationId).build());

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

        // Findings of the validation plugins (cdk-nag, the Control Tower controls) that are deliberate, each with its reason.
        acknowledgeFinding(audit.getRole(), "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
                "Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not");
        acknowledgeFinding(vendor.getRole(), "AwsSolutions-IAM5[Resource::*]",
                "Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *");
        // (cdk-nag names a resource as the template spells it: the partition literal where the stack writes one.)
        final String partition = Token.isUnresolved(reader.getPartition()) ? "<AWS::Partition>" : reader.getPartition();
        acknowledgeFinding(analyst, "AwsSolutions-IAM5[Resource::arn:" + partition + ":s3:::shared-reports-" + trustingAccount + "/*]",
                "The role reads the reports, which are every object of the shared bucket, named by the bucket's exact ARN");
        acknowledgeFinding(analyst, "AwsSolutions-IAM5[Resource::arn:" + partition + ":kms:eu-west-1:" + trustingAccount + ":key/*]",
                "The reports key's ARN is only known once its stack is deployed: the statement allows kms:Decrypt only through S3 (kms:ViaService) for this bucket's objects (kms:EncryptionContext:aws:s3:arn), and only the key policy of the reports key lets this role in");
        for (Bucket bucket : List.of(reports, accessLogs)) {
            acknowledgeFinding(bucket, "cdk-validator-cfnguard::s3_event_notifications_enabled_check",
                    "Nothing consumes this bucket's object events (reports are read on demand, logs when needed), so the example configures no notification target");
            acknowledgeFinding(bucket, "cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check",
                    "Objects are replaced as they are recomputed; versioning keeps past versions for 90 days, where Object Lock would keep every version undeletable");
        }
        acknowledgeFinding(accessLogs, "cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check",
                "S3 delivers server access logs only to a bucket encrypted with S3 managed keys (SSE-S3); SSE-KMS is not supported for a log destination");
        acknowledgeFinding(accessLogs, "cdk-validator-cfnguard::s3_bucket_logging_enabled_check",
                "This bucket receives the reports bucket's access logs: logging its own access would need yet another log bucket");

        return List.of(audit, vendor);
    }

    /** Acknowledges one finding of a validation plugin on a construct (see examples/example-app.ts for why it is written directly). */
    private static void acknowledgeFinding(final IConstruct construct, final String findingId, final String reason) {
        construct.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(findingId, reason));
    }

    private static String env(final String name, final String fallback) {
        return Optional.ofNullable(System.getenv(name)).orElse(fallback);
    }
}
