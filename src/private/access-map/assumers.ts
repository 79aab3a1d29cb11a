/**
 * The trusted side of the access map: for each trust of a role, the users,
 * groups and roles of the app that may actually assume it (evaluated by the
 * library's evaluator, `appAssumers`), and which trusted accounts are the
 * app's at all (for the others, the map can only say "any principal with an
 * identity policy allowing it").
 */
import { appAssumers } from '../explain/assumers';
import { AccessModel, Identity, buildModel } from '../explain/model';
import { compareText } from '../policy/compare';

/** A principal of the app that may assume a role, as the map lists it. */
export interface MapAssumer {
  readonly kind: 'user' | 'group' | 'role';
  /** Its name, or its logical ID when its name is generated at deploy time. */
  readonly name: string;
  readonly account: string;
  readonly arn?: string;
  readonly stack?: string;
  /** `allowed`: it may assume the role when the guards are met; `unknown`: a value only known at deploy time decides. */
  readonly decision: 'allowed' | 'unknown';
}

/** A template of the map, read: what the access model needs of it. */
export interface ReadMapTemplate {
  readonly file: string;
  readonly template: unknown;
  readonly account?: string;
  readonly region?: string;
  readonly stackName?: string;
}

/** The templates of the map, read, as the access model reads them. */
export function mapModel(templates: readonly ReadMapTemplate[]): AccessModel {
  return buildModel(templates.map(t => ({
    file: t.file,
    template: t.template,
    ...(t.account !== undefined ? { account: t.account } : {}),
    ...(t.region !== undefined ? { region: t.region } : {}),
    ...(t.stackName !== undefined ? { stackName: t.stackName } : {}),
  })));
}

/** The role of the model declared by a template's resource. */
export function modelRole(model: AccessModel, file: string, logicalId: string): Identity | undefined {
  return model.identities.find(i => i.kind === 'role' && i.template.file === file && i.logicalId === logicalId);
}

/** The principals of the app in `accounts` that may assume the role, sorted. */
export function assumersOf(model: AccessModel, role: Identity | undefined, accounts: readonly string[]): MapAssumer[] {
  if (role === undefined || accounts.length === 0) { return []; }
  return appAssumers(model, role, accounts)
    .map(({ identity, decision }) => ({
      kind: identity.kind,
      name: identity.name ?? identity.logicalId,
      account: identity.account!,
      ...(identity.arn !== undefined ? { arn: identity.arn } : {}),
      ...(identity.template.stackName !== undefined ? { stack: identity.template.stackName } : {}),
      decision,
    }))
    .sort((a, b) => compareText(a.account, b.account) || compareText(a.kind, b.kind) || compareText(a.name, b.name));
}
