package com.example.crossaccount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdk_cross_account_roles.AccessDecision;
import io.github.cdk_cross_account_roles.AccessExplainer;
import io.github.cdk_cross_account_roles.AccessExplanation;
import io.github.cdk_cross_account_roles.AccessLayer;
import io.github.cdk_cross_account_roles.AccessRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;

/** AccessExplainer from Java, on the example app: who may read the shared reports, and why another may not. */
class ExplainTest {

    private static final String REPORT = "arn:aws:s3:::shared-reports-111111111111/2026/q1.csv";
    private static final String READER = "arn:aws:sts::222222222222:assumed-role/SharedReportsReader/nightly";
    private static final String KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static AccessExplainer explainer;

    @BeforeAll
    static void synthesizeTheExampleApp() {
        App app = new App();
        ExampleStacks.buildExampleApp(app);
        explainer = AccessExplainer.fromAssembly(app.synth().getDirectory());
    }

    @Test
    void theReaderReadsTheSharedReportsAndDecryptsThemOnlyThroughS3() {
        // GIVEN / WHEN
        AccessExplanation read = explainer.explain(AccessRequest.builder().principal(READER).action("s3:GetObject").resource(REPORT).build());
        AccessExplanation throughS3 = explainer.explain(AccessRequest.builder()
                .principal(READER)
                .action("kms:Decrypt")
                .resource(KEY)
                .context(Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", REPORT))
                .build());
        AccessExplanation direct = explainer.explain(AccessRequest.builder().principal(READER).action("kms:Decrypt").resource(KEY).build());

        // THEN
        assertEquals(AccessDecision.ALLOWED, read.getDecision(), read.getSummary());
        assertEquals(AccessDecision.ALLOWED, throughS3.getDecision(), throughS3.getSummary());
        assertEquals(AccessDecision.DENIED, direct.getDecision(), direct.getSummary());
        assertTrue(direct.getDeniedBy().contains(AccessLayer.KEY_POLICY), direct.getSummary());
    }

    @Test
    void aRoleOfAThirdAccountIsRefusedByTheBucketPolicy() {
        // GIVEN / WHEN
        AccessExplanation result = explainer.explain(AccessRequest.builder()
                .principal("arn:aws:iam::333333333333:role/SharedReportsReader").action("s3:GetObject").resource(REPORT).build());

        // THEN
        assertEquals(AccessDecision.DENIED, result.getDecision(), result.getSummary());
        assertEquals(List.of(AccessLayer.RESOURCE_POLICY), result.getDeniedBy());
    }
}
