package com.example.crossaccount;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdk_cross_account_roles.CrossAccountRolePair;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.jsii.JsiiException;

/** A bad account ID given from Java raises a Java exception carrying the library's own message. */
class BadAccountTest {

    @Test
    void aShortAccountIdRaisesTheLibraryMessage() {
        // GIVEN
        App app = new App();

        // WHEN
        JsiiException raised = assertThrows(JsiiException.class, () -> CrossAccountRolePair.Builder.create(app, "Pair")
                .trustingAccount("1234")
                .trustedAccount("222222222222")
                .region("eu-west-1")
                .roleName("Audit")
                .build());

        // THEN
        assertTrue(raised.getMessage().contains("Pair: trustingAccount must be a 12-digit AWS account ID, got '1234'"),
                raised.getMessage());
    }
}
