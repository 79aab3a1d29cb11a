#!/usr/bin/env python3
"""The example app in Python, synthesized by `npx cdk synth` in this directory (see cdk.json).

The same app as examples/app.ts: cdk-nag's AwsSolutions pack, the AWS Control Tower
proactive controls (cdk-validator-cfnguard) and this library's CrossAccountTrustChecks
audit every template at synth time.
"""
from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

from cdk_cross_account_roles import CrossAccountTrustChecks
from example_app import build_example_app

app = App()
Validations.of(app).add_plugins(AwsSolutionsChecks(app), CfnGuardValidator(), CrossAccountTrustChecks())
build_example_app(app)
app.synth()
