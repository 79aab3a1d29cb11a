package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-account-roles/cdk-cross-account-roles-go/cdkcrossaccountroles"
)

// A bad account ID given from Go panics with a Go error carrying the library's own message.
func TestAShortAccountIdPanicsWithTheLibraryMessage(t *testing.T) {
	// GIVEN
	app := awscdk.NewApp(nil)

	// THEN (deferred: the constructor panics)
	defer func() {
		err, isError := recover().(error)
		if !isError {
			t.Fatalf("expected a panic carrying an error, got %#v", err)
		}
		want := "Pair: trustingAccount must be a 12-digit AWS account ID, got '1234'"
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("expected the library's message %q, got %q", want, err.Error())
		}
	}()

	// WHEN
	cdkcrossaccountroles.NewCrossAccountRolePair(app, jsii.String("Pair"), &cdkcrossaccountroles.CrossAccountRolePairProps{
		TrustingAccount: jsii.String("1234"),
		TrustedAccount:  jsii.String("222222222222"),
		Region:          jsii.String("eu-west-1"),
		RoleName:        jsii.String("Audit"),
	})
	t.Fatal("expected a panic, got none")
}
