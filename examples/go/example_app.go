package main

// The example app's content, in Go: the same stacks as examples/example-app.ts.
//
// Kept parallel to the TypeScript file, so that a change there is easy to follow here.
// test/languages.test.ts compares every template this app synthesizes with the TypeScript app's.
// Imports are kept to the few aws-cdk-go packages the stacks need: each one is a large compile.
//
// Account IDs are placeholders (111111111111 trusts 222222222222; a vendor,
// 333333333333, gets access with an external ID supplied at deploy time;
// 999999999999 is the organisation's management account).

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-account-roles/cdk-cross-account-roles-go/cdkcrossaccountroles"
)

// BuildExampleApp adds the example pairs to an app.
func BuildExampleApp(app awscdk.App) []cdkcrossaccountroles.CrossAccountRolePair {

	trustingAccount := envOr("TRUSTING_ACCOUNT", "111111111111")
	trustedAccount := envOr("TRUSTED_ACCOUNT", "222222222222")
	vendorAccount := envOr("VENDOR_ACCOUNT", "333333333333")
	managementAccount := envOr("MANAGEMENT_ACCOUNT", "999999999999")
	organizationID := envOr("ORGANIZATION_ID", "o-a1b2c3d4e5")
	organizationRoot := envOr("ORGANIZATION_ROOT", "r-ab12")

	// Humans of the tooling account read the workload account, with a fresh MFA sign-in.
	audit := cdkcrossaccountroles.NewCrossAccountRolePair(app, jsii.String("AuditAccess"), &cdkcrossaccountroles.CrossAccountRolePairProps{
		TrustingAccount:    jsii.String(trustingAccount),
		TrustedAccount:     jsii.String(trustedAccount),
		Region:             jsii.String("eu-west-1"),
		RoleName:           jsii.String("AuditReadOnly"),
		Description:        jsii.String("Read-only audit access for the security team"),
		ManagedPolicies:    &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("ReadOnlyAccess"))},
		RequireMfa:         jsii.Bool(true),
		MaxMfaAge:          awscdk.Duration_Hours(jsii.Number(1)),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(4)),
		AssumerGroupName:   jsii.String("workload-auditors"),
	})

	// A vendor's account reads billing data; the external ID is given at deploy time.
	vendor := cdkcrossaccountroles.NewCrossAccountRolePair(app, jsii.String("VendorAccess"), &cdkcrossaccountroles.CrossAccountRolePairProps{
		TrustingAccount:     jsii.String(trustingAccount),
		TrustedAccount:      jsii.String(vendorAccount),
		Region:              jsii.String("eu-west-1"),
		RoleName:            jsii.String("VendorCostExplorer"),
		ExternalIdParameter: jsii.Bool(true),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"CostExplorerRead": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("ce:GetCostAndUsage", "ce:GetDimensionValues"),
					Resources: jsii.Strings("*"),
				})},
			}),
		},
	})

	// Shared reports: the workload account's KMS-encrypted bucket, read by an analytics role of the
	// tooling account without assuming a role. The bucket's and the key's policies name the tooling
	// account, narrowed to that role and the organisation; the role's policy names the bucket, and
	// the key only through S3 for this bucket's objects.
	owner := awscdk.NewStack(app, jsii.String("SharedReports-Owner"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(trustingAccount), Region: jsii.String("eu-west-1")},
		Description: jsii.String("Shared reports: a KMS-encrypted bucket whose policy lets one role of the analytics account read it"),
	})
	// S3 delivers access logs under a bucket policy, not the log-delivery ACL (the flag new CDK projects turn on).
	owner.Node().SetContext(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"), true)
	reportsKey := awskms.NewKey(owner, jsii.String("ReportsKey"), &awskms.KeyProps{
		EnableKeyRotation: jsii.Bool(true),
		Description:       jsii.String("Encrypts the shared reports"),
	})
	// Only AWS services may create grants on the key (S3 needs none).
	reportsKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyGrantsNotForAwsResources"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]interface{}{"BoolIfExists": map[string]interface{}{"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}},
	}), nil)
	lifecycleRules := &[]*awss3.LifecycleRule{{
		NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(90)),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
	}}
	accessLogs := awss3.NewBucket(owner, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		LifecycleRules:    lifecycleRules,
	})
	reports := awss3.NewBucket(owner, jsii.String("Reports"), &awss3.BucketProps{
		BucketName:             jsii.String("shared-reports-" + trustingAccount),
		EncryptionKey:          reportsKey,
		BucketKeyEnabled:       jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		LifecycleRules:         lifecycleRules,
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String("reports/"),
	})
	reader := awscdk.NewStack(app, jsii.String("SharedReports-Reader"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(trustedAccount), Region: jsii.String("eu-west-1")},
		Description: jsii.String("Shared reports: the analytics role that reads them, with its own side of the grant"),
	})
	analyst := awsiam.NewRole(reader, jsii.String("ReportsReader"), &awsiam.RoleProps{
		RoleName:    jsii.String("SharedReportsReader"),
		Description: jsii.String("Reads the shared reports of the workload account"),
		AssumedBy:   awsiam.NewAccountRootPrincipal(),
	})
	cdkcrossaccountroles.CrossAccountGrants_BucketRead(reports, analyst, &cdkcrossaccountroles.CrossAccountGrantOptions{
		OrganizationId: jsii.String(organizationID),
	})

	// The organisation's perimeter, in the management account: no role of a member account can be
	// assumed from outside the organisation, but by the vendor above (found in the app, with its
	// external ID) and AWS services; only the CDK deployment role may change a trust policy.
	management := awscdk.NewStack(app, jsii.String("OrganizationPerimeter"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(managementAccount), Region: jsii.String("us-east-1")},
		Description: jsii.String("The organisation trust perimeter: an RCP and an SCP generated from the app's declared trusts"),
	})
	cdkcrossaccountroles.NewOrganizationTrustPerimeter(management, jsii.String("Perimeter"), &cdkcrossaccountroles.OrganizationTrustPerimeterProps{
		OrganizationId:       jsii.String(organizationID),
		TargetIds:            jsii.Strings(organizationRoot),
		MemberAccounts:       jsii.Strings(trustingAccount, trustedAccount),
		ProtectTrustPolicies: jsii.Bool(true),
	})
	// IAM Access Analyzer for the whole organisation, whose archive rules are the trusts this app
	// declares: a finding that stays active is cross-account access that no stack of the app declares.
	cdkcrossaccountroles.NewCrossAccountAccessAnalyzer(management, jsii.String("AccessAnalyzer"), &cdkcrossaccountroles.CrossAccountAccessAnalyzerProps{
		AnalyzerType: cdkcrossaccountroles.CrossAccountAccessAnalyzerType_ORGANIZATION,
		AnalyzerName: jsii.String("declared-cross-account-trusts"),
	})

	// Findings of the validation plugins (cdk-nag, the Control Tower controls) that are deliberate, each with its reason.
	acknowledgeFinding(audit.Role(), "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
		"Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not")
	acknowledgeFinding(vendor.Role(), "AwsSolutions-IAM5[Resource::*]",
		"Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *")
	// (cdk-nag names a resource as the template spells it: the partition literal where the stack writes one.)
	partition := "<AWS::Partition>"
	if !*awscdk.Token_IsUnresolved(reader.Partition()) {
		partition = *reader.Partition()
	}
	acknowledgeFinding(analyst, "AwsSolutions-IAM5[Resource::arn:"+partition+":s3:::shared-reports-"+trustingAccount+"/*]",
		"The role reads the reports, which are every object of the shared bucket, named by the bucket's exact ARN")
	acknowledgeFinding(analyst, "AwsSolutions-IAM5[Resource::arn:"+partition+":kms:eu-west-1:"+trustingAccount+":key/*]",
		"The reports key's ARN is only known once its stack is deployed: the statement allows kms:Decrypt only through S3 (kms:ViaService) for this bucket's objects (kms:EncryptionContext:aws:s3:arn), and only the key policy of the reports key lets this role in")
	for _, bucket := range []awss3.Bucket{reports, accessLogs} {
		acknowledgeFinding(bucket, "cdk-validator-cfnguard::s3_event_notifications_enabled_check",
			"Nothing consumes this bucket's object events (reports are read on demand, logs when needed), so the example configures no notification target")
		acknowledgeFinding(bucket, "cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check",
			"Objects are replaced as they are recomputed; versioning keeps past versions for 90 days, where Object Lock would keep every version undeletable")
	}
	acknowledgeFinding(accessLogs, "cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check",
		"S3 delivers server access logs only to a bucket encrypted with S3 managed keys (SSE-S3); SSE-KMS is not supported for a log destination")
	acknowledgeFinding(accessLogs, "cdk-validator-cfnguard::s3_bucket_logging_enabled_check",
		"This bucket receives the reports bucket's access logs: logging its own access would need yet another log bucket")

	return []cdkcrossaccountroles.CrossAccountRolePair{audit, vendor}
}

// acknowledgeFinding acknowledges one finding of a validation plugin on a construct
// (see examples/example-app.ts for why it is written directly).
func acknowledgeFinding(construct constructs.IConstruct, findingID string, reason string) {
	construct.Node().AddMetadata(awscdk.Validations_ACKNOWLEDGED_RULES_METADATA_KEY(), map[string]string{findingID: reason}, nil)
}

func envOr(name string, fallback string) string {
	if value, ok := os.LookupEnv(name); ok {
		return value
	}
	return fallback
}
