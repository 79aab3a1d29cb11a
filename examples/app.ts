/**
 * The example app, synthesized by `npx cdk synth` (see cdk.json):
 * cdk.out/<stack>.template.json for each of the five stacks.
 *
 * Every template is audited at synth time by cdk-nag's AwsSolutions pack and
 * by this library's CrossAccountTrustChecks.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrossAccountTrustChecks } from '../src';
import { buildExampleApp } from './example-app';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CrossAccountTrustChecks());
buildExampleApp(app);
app.synth();
