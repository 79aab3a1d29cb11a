import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { KEY_EXTERNAL_ID, STS_ASSUME_ROLE } from './constants';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The accounts named in a resolved principal value (literal ARNs, roots, joins). */
function accountsIn(value: unknown): string[] {
  const text = JSON.stringify(value ?? '');
  return Array.from(text.matchAll(/(?:iam::|"|^)(\d{12})(?=:|"|$)/g), m => m[1]);
}

/**
 * The accounts the app trusts through an external ID: every `Allow` of
 * `sts:AssumeRole` in a role's trust policy that requires `sts:ExternalId`,
 * in every stack and stage below `scope`'s root.
 */
export function externalIdTrustedAccounts(scope: IConstruct): string[] {
  const accounts = new Set<string>();
  for (const node of scope.node.root.node.findAll()) {
    if (!(node instanceof iam.CfnRole)) { continue; }
    const document: unknown = Stack.of(node).resolve(node.assumeRolePolicyDocument);
    const raw = isObject(document) ? document.Statement : undefined;
    for (const statement of (Array.isArray(raw) ? raw : [raw]).filter(isObject)) {
      const actions = [statement.Action].flat();
      const conditions = Object.values(isObject(statement.Condition) ? statement.Condition : {}).filter(isObject);
      const externalId = conditions.some(keys => Object.keys(keys).some(k => k.toLowerCase() === KEY_EXTERNAL_ID.toLowerCase()));
      if (statement.Effect === 'Allow' && actions.includes(STS_ASSUME_ROLE) && externalId && isObject(statement.Principal)) {
        accountsIn(statement.Principal.AWS).forEach(a => accounts.add(a));
      }
    }
  }
  return Array.from(accounts).sort();
}
