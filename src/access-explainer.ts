import * as fs from 'fs';
import * as path from 'path';
import { AccessDecision, AccessExplanation, AccessLayer, LayerDecision } from './access-explanation';
import { TemplateInput, collectTemplates } from './cli/inputs';
import { ACCOUNT_ID_PATTERN } from './private/constants';
import { LayerName } from './private/evaluator';
import { ExplainDecision, LayerVerdict, explainRequest } from './private/explain/explain';
import { AccessModel, buildModel } from './private/explain/model';

/**
 * What an `AccessExplainer` is told beyond the templates.
 */
export interface AccessExplainerOptions {
  /**
   * The account of the templates that do not say (a plain template; a cloud
   * assembly's stacks say, when their environment is explicit).
   *
   * @default - such templates are in no known account: their principals and resources match no ARN
   */
  readonly account?: string;

  /**
   * The region of the templates that do not say.
   *
   * @default - such templates are in no known region (their partition is `aws`)
   */
  readonly region?: string;

  /**
   * The account of each template file, by the path given (for plain
   * templates of several accounts).
   *
   * @default - `account` for every template that does not say
   */
  readonly templateAccounts?: { [path: string]: string };

  /**
   * Accounts known to be in the organisation, besides those with a stack in
   * the app and the accounts the organisation's policies are attached to: a
   * caller of these accounts has `aws:PrincipalOrgID`, and the app's SCPs and
   * RCPs apply to them.
   *
   * @default - only the app's accounts
   */
  readonly memberAccounts?: string[];

  /**
   * The organisation's ID (`o-...`).
   *
   * @default - the one the app's `OrganizationTrustPerimeter` names, if any
   */
  readonly organizationId?: string;
}

/**
 * A request to explain: who does what on which resource, and what the
 * request carries.
 */
export interface AccessRequest {
  /**
   * The caller: an IAM user's or role's ARN (a role stands for a session of
   * it), an assumed-role session ARN, an AWS service principal, or a
   * 12-digit account ID for a principal of that account not known more
   * closely (what the resource account's copy of a cross-account CloudTrail
   * event names).
   *
   * @example 'arn:aws:iam::222222222222:user/alice'
   */
  readonly principal: string;

  /**
   * The action, e.g. `sts:AssumeRole`, `s3:GetObject`.
   */
  readonly action: string;

  /**
   * The resource's ARN: the role for `sts:AssumeRole`, the object or bucket,
   * the key (or its alias), the queue ...
   */
  readonly resource: string;

  /**
   * Condition keys of the request that only the caller's situation can tell
   * (`sts:ExternalId`, `aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`,
   * `aws:SourceIp`, `aws:CurrentTime` ...). The keys the principal determines
   * are completed: `aws:PrincipalArn`, `aws:PrincipalAccount`,
   * `aws:PrincipalType`, `aws:username`, `aws:userid`, `aws:PrincipalTag/...`,
   * and `aws:PrincipalOrgID` when the app's organisation has the caller's
   * account.
   *
   * @default - only the keys completed from the principal and the request
   */
  readonly context?: { [key: string]: string };

  /**
   * Multivalued condition keys of the request (`aws:PrincipalOrgPaths`,
   * `aws:TagKeys` ...).
   *
   * @default - none
   */
  readonly multiValuedContext?: { [key: string]: string[] };

  /**
   * The session duration asked of `sts:AssumeRole` (`DurationSeconds`).
   *
   * @default 3600
   */
  readonly durationSeconds?: number;

  /**
   * The session policy of the caller's role session, as a JSON document.
   *
   * @default - none
   */
  readonly sessionPolicy?: string;

  /**
   * The session name of an `sts:AssumeRole` (`sts:RoleSessionName`).
   *
   * @default - none given
   */
  readonly roleSessionName?: string;

  /**
   * The source identity set by an `sts:AssumeRole` (`sts:SourceIdentity`);
   * `sts:SetSourceIdentity` must then be allowed too.
   *
   * @default - none
   */
  readonly sourceIdentity?: string;

  /**
   * The session tags passed to an `sts:AssumeRole` (`aws:RequestTag/<key>`,
   * `aws:TagKeys`); `sts:TagSession` must then be allowed too.
   *
   * @default - none
   */
  readonly sessionTags?: { [key: string]: string };

  /**
   * The session tags set as transitive (`sts:TransitiveTagKeys`).
   *
   * @default - none
   */
  readonly transitiveTagKeys?: string[];
}

/**
 * Answers "may this principal do this, and if not, why?" offline, from the
 * app's own synthesized templates: the trust policy, the caller's identity
 * policies (its groups' included), permissions boundaries, the
 * organisation's SCPs and RCPs, resource and key policies, session policies
 * and session limits, evaluated by the library's policy evaluator as AWS
 * evaluates them, within an account and across accounts.
 *
 * Use it in unit tests to prove access ("alice may assume Audit only with
 * MFA"), before deploying, or on the request of a CloudTrail event
 * (`cdk-cross-account-roles explain --cloudtrail`).
 *
 * When the caller (or the resource) is not in the app, the decision is
 * `DENIED` if the side the app holds refuses, and `UNDETERMINED` otherwise,
 * with what is missing.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export class AccessExplainer {
  /**
   * An explainer of a cloud assembly directory (`cdk.out`, or
   * `app.synth().directory` in a test), its stages and nested stacks included.
   *
   * @param directory the cloud assembly directory
   * @param options what the templates do not say
   */
  public static fromAssembly(directory: string, options: AccessExplainerOptions = {}): AccessExplainer {
    if (typeof directory !== 'string' || directory === '') {
      throw new Error(`AccessExplainer.fromAssembly needs the cloud assembly's directory (app.synth().directory, or 'cdk.out'), got ${JSON.stringify(directory) ?? String(directory)}`);
    }
    if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
      throw new Error(`${directory} is not a cloud assembly (it has no manifest.json); synthesize the app first (cdk synth, or app.synth().directory), or use AccessExplainer.fromTemplates for template files`);
    }
    return new AccessExplainer(read([directory], options), options);
  }

  /**
   * An explainer of template files (JSON or YAML), folders of them, or cloud
   * assemblies. A plain template's account is `options.templateAccounts[path]`
   * or `options.account`.
   *
   * @param paths the templates
   * @param options what the templates do not say
   */
  public static fromTemplates(paths: string[], options: AccessExplainerOptions = {}): AccessExplainer {
    if (!Array.isArray(paths) || paths.some(p => typeof p !== 'string')) {
      throw new Error(`AccessExplainer.fromTemplates needs a list of template paths (['a.json', 'b.yaml']), got ${JSON.stringify(paths) ?? String(paths)}`);
    }
    if (paths.length === 0) { throw new Error('AccessExplainer.fromTemplates needs at least one template path'); }
    return new AccessExplainer(read(paths, options), options);
  }

  private readonly model: AccessModel;

  private constructor(templates: TemplateInput[], options: AccessExplainerOptions) {
    this.model = buildModel(templates.map(t => ({
      file: t.file,
      template: t.template,
      ...(t.environment.account !== undefined ? { account: t.environment.account } : {}),
      ...(t.environment.region !== undefined ? { region: t.environment.region } : {}),
      ...(t.stackName !== undefined ? { stackName: t.stackName } : {}),
      positionOf: t.positionOf,
    })), { memberAccounts: options.memberAccounts, organizationId: options.organizationId });
  }

  /**
   * Explains a request: the decision, the layers that deny it, every layer's
   * decision with the statement that made it and why, and the fixes.
   *
   * @param request who does what on which resource
   */
  public explain(request: AccessRequest): AccessExplanation {
    if (typeof request !== 'object' || request === null) {
      throw new Error(`AccessExplainer.explain needs a request ({ principal, action, resource }), got ${request === null ? 'null' : typeof request}`);
    }
    const missing = (['principal', 'action', 'resource'] as const).filter(key => typeof request[key] !== 'string');
    if (missing.length > 0) {
      throw new Error(`AccessExplainer.explain needs ${missing.join(', ')} in the request, as strings (e.g. principal: 'arn:aws:iam::222222222222:user/alice', `
        + 'action: \'sts:AssumeRole\', resource: \'arn:aws:iam::111111111111:role/Audit\')');
    }
    const explanation = explainRequest(this.model, request);
    return {
      ...explanation,
      decision: DECISIONS[explanation.decision],
      deniedBy: explanation.deniedBy.map(layer => LAYERS[layer]),
      layers: explanation.layers.map(layer => ({ ...layer, layer: LAYERS[layer.layer], decision: LAYER_DECISIONS[layer.decision] })),
    };
  }
}

/** The private side's names, as the public enums. */
const DECISIONS: Record<ExplainDecision, AccessDecision> = {
  allowed: AccessDecision.ALLOWED,
  denied: AccessDecision.DENIED,
  undetermined: AccessDecision.UNDETERMINED,
};
const LAYER_DECISIONS: Record<LayerVerdict, LayerDecision> = {
  'allow': LayerDecision.ALLOW,
  'explicit-deny': LayerDecision.EXPLICIT_DENY,
  'implicit-deny': LayerDecision.IMPLICIT_DENY,
  'unknown': LayerDecision.UNKNOWN,
};
const LAYERS: Record<LayerName, AccessLayer> = {
  'identity-policy': AccessLayer.IDENTITY_POLICY,
  'permissions-boundary': AccessLayer.PERMISSIONS_BOUNDARY,
  'scp': AccessLayer.SCP,
  'rcp': AccessLayer.RCP,
  'trust-policy': AccessLayer.TRUST_POLICY,
  'resource-policy': AccessLayer.RESOURCE_POLICY,
  'key-policy': AccessLayer.KEY_POLICY,
  'session-policy': AccessLayer.SESSION_POLICY,
  'session-duration': AccessLayer.SESSION_DURATION,
};

/** Reads the templates, with the accounts and regions the options give those that do not say. */
function read(paths: string[], options: AccessExplainerOptions): TemplateInput[] {
  for (const [name, account] of [['account', options.account], ...Object.entries(options.templateAccounts ?? {}).map(([p, a]) => [`templateAccounts['${p}']`, a])]) {
    if (account !== undefined && !ACCOUNT_ID_PATTERN.test(account)) {
      throw new Error(`${name} must be a 12-digit account ID, got '${account}'`);
    }
  }
  // a file that cannot be read throws an error naming it (and its line)
  const templates: TemplateInput[] = collectTemplates(paths);
  const byPath = new Map(Object.entries(options.templateAccounts ?? {}).map(([p, a]) => [path.resolve(p), a]));
  return templates.map(t => {
    const account = t.environment.account ?? byPath.get(path.resolve(t.file)) ?? options.account;
    const region = t.environment.region ?? options.region;
    return { ...t, environment: { ...t.environment, ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) } };
  });
}
