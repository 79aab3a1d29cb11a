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

	// cdk-nag findings that are deliberate, each with its reason.
	acknowledgeNagFinding(audit.Role(), "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
		"Auditors need read access to every service; AWS keeps ReadOnlyAccess current as services launch, which a hand-written policy would not")
	acknowledgeNagFinding(vendor.Role(), "AwsSolutions-IAM5[Resource::*]",
		"Cost Explorer actions (ce:GetCostAndUsage, ce:GetDimensionValues) support no resource-level permissions, so Resource must be *")

	return []cdkcrossaccountroles.CrossAccountRolePair{audit, vendor}
}

// acknowledgeNagFinding acknowledges one cdk-nag finding on a construct
// (see examples/example-app.ts for why it is written directly).
func acknowledgeNagFinding(construct constructs.IConstruct, findingID string, reason string) {
	construct.Node().AddMetadata(awscdk.Validations_ACKNOWLEDGED_RULES_METADATA_KEY(), map[string]string{findingID: reason}, nil)
}

func envOr(name string, fallback string) string {
	if value, ok := os.LookupEnv(name); ok {
		return value
	}
	return fallback
}
