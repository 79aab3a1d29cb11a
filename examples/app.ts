/**
 * The example app, synthesized by `npx cdk synth` (see cdk.json):
 * cdk.out/<stack>.template.json for each of the five stacks.
 *
 * Every template is audited at synth time by cdk-nag's AwsSolutions pack, by
 * the AWS Control Tower proactive controls (the cfn-guard rules bundled in
 * @cdklabs/cdk-validator-cfnguard) and by this library's CrossAccountTrustChecks.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrossAccountTrustChecks } from '../src';
import { buildExampleApp } from './example-app';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator(), new CrossAccountTrustChecks());
buildExampleApp(app);
app.synth();
