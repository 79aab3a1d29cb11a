// The example app in Go, synthesized by `npx cdk synth` in this directory (see cdk.json).
//
// The same app as examples/app.ts, but for two of its validation plugins: cdk-nag v3 is not on the
// Go module proxy, and @cdklabs/cdk-validator-cfnguard is not published for Go. Only this library's
// CrossAccountTrustChecks audits the templates here.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-account-roles/cdk-cross-account-roles-go/cdkcrossaccountroles"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	awscdk.Validations_Of(app).AddPlugins(cdkcrossaccountroles.NewCrossAccountTrustChecks(nil))
	BuildExampleApp(app)
	app.Synth(nil)
}
