/**
 * Run by test/trust-checks-cost.test.ts in a process of its own (module
 * loading is per process): synthesizes an app with CrossAccountTrustChecks and
 * prints, as JSON, every module loaded while the plugin's validate() ran: a
 * require of a module not loaded before (aws-cdk-lib's lazy exports require
 * modules it has loaded already on every access; those cost nothing and are
 * not counted).
 */
import { Module } from 'module';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { WatchedTrustChecks } from './watched-checks';

const requested: string[] = [];
interface ModuleInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}
const internals = Module as unknown as ModuleInternals;
const load = internals._load;
internals._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
  if (WatchedTrustChecks.inValidate && !Module.isBuiltin(request)) {
    const file = internals._resolveFilename(request, parent, isMain);
    if (require.cache[file] === undefined) { requested.push(file); }
  }
  return load.call(this, request, parent, isMain);
};


const app = new App({ outdir: process.argv[2] });
Validations.of(app).addPlugins(new WatchedTrustChecks());
// Plain aws-cdk-lib roles only: the library's constructs would load, while the app is built, modules that
// validate() needs too, and hide a load that an app of plain roles pays for inside validate().
const workload = new Stack(app, 'Workload', { env: { account: '111111111111', region: 'eu-west-1' } });
new iam.Role(workload, 'Reader', {
  assumedBy: new iam.AccountPrincipal('222222222222').withConditions({ StringEquals: { 'sts:ExternalId': 'a-long-random-external-id' } }),
});
const partner = new iam.Role(workload, 'Partner', { assumedBy: new iam.AccountPrincipal('333333333333') });
Validations.of(partner).acknowledge({ id: 'CrossAccountTrustChecks::UnconditionedCrossAccountTrust', reason: 'our backup account' });
app.synth();
process.stdout.write(JSON.stringify(requested));
