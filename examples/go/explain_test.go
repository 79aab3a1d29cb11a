package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-account-roles/cdk-cross-account-roles-go/cdkcrossaccountroles"
)

const (
	report = "arn:aws:s3:::shared-reports-111111111111/2026/q1.csv"
	reader = "arn:aws:sts::222222222222:assumed-role/SharedReportsReader/nightly"
	key    = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// AccessExplainer from Go, on the example app: who may read the shared reports, and why another may not.
func TestExplainTheSharedReports(t *testing.T) {
	// GIVEN
	app := awscdk.NewApp(nil)
	BuildExampleApp(app)
	explainer := cdkcrossaccountroles.AccessExplainer_FromAssembly(app.Synth(nil).Directory(), nil)
	explain := func(principal string, action string, resource string, context map[string]*string) *cdkcrossaccountroles.AccessExplanation {
		request := &cdkcrossaccountroles.AccessRequest{Principal: jsii.String(principal), Action: jsii.String(action), Resource: jsii.String(resource)}
		if context != nil {
			request.Context = &context
		}
		return explainer.Explain(request)
	}

	// WHEN
	read := explain(reader, "s3:GetObject", report, nil)
	throughS3 := explain(reader, "kms:Decrypt", key, map[string]*string{
		"kms:ViaService":                   jsii.String("s3.eu-west-1.amazonaws.com"),
		"kms:EncryptionContext:aws:s3:arn": jsii.String(report),
	})
	direct := explain(reader, "kms:Decrypt", key, nil)
	thirdAccount := explain("arn:aws:iam::333333333333:role/SharedReportsReader", "s3:GetObject", report, nil)

	// THEN
	for _, c := range []struct {
		name   string
		result *cdkcrossaccountroles.AccessExplanation
		want   cdkcrossaccountroles.AccessDecision
	}{
		{"the reader reads a report", read, cdkcrossaccountroles.AccessDecision_ALLOWED},
		{"the reader decrypts it through S3", throughS3, cdkcrossaccountroles.AccessDecision_ALLOWED},
		{"the reader calls KMS directly", direct, cdkcrossaccountroles.AccessDecision_DENIED},
		{"a role of a third account reads a report", thirdAccount, cdkcrossaccountroles.AccessDecision_DENIED},
	} {
		if c.result.Decision != c.want {
			t.Errorf("%s: expected %s, got %s", c.name, c.want, *c.result.Summary)
		}
	}
	deniedBy := *thirdAccount.DeniedBy
	if len(deniedBy) != 1 || deniedBy[0] != cdkcrossaccountroles.AccessLayer_RESOURCE_POLICY {
		t.Errorf("a role of a third account: expected a denial by the resource policy alone, got %v", deniedBy)
	}
}
