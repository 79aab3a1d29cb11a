package com.example.crossaccount;

import io.github.cdk_cross_account_roles.CrossAccountTrustChecks;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Validations;

/**
 * The example app in Java, synthesized by `npx cdk synth` in this directory (see cdk.json).
 *
 * <p>The same app as examples/app.ts, but for the AWS Control Tower proactive controls
 * (@cdklabs/cdk-validator-cfnguard is not published to Maven Central): cdk-nag's AwsSolutions
 * pack and this library's CrossAccountTrustChecks audit every template at synth time.
 */
public final class ExampleApp {
    private ExampleApp() {
    }

    public static void main(final String[] args) {
        App app = new App();
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CrossAccountTrustChecks());
        ExampleStacks.buildExampleApp(app);
        app.synth();
    }
}
