/**
 * Policy documents as the evaluator reads them: each statement's elements as
 * lists, whatever the form they were written in (a string or a list; a
 * statement or a list of them).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

/** Where a policy comes from, for the reasons and the reports. */
export interface PolicySource {
  /** What the policy is, in words: `the inline policy Assume of role Deployer`. */
  readonly description: string;
  /** The template file, when the policy was read from one. */
  readonly file?: string;
  /** The stack's name. */
  readonly stack?: string;
  /** The logical ID of the resource that holds the policy. */
  readonly logicalId?: string;
  /** The policy's name (an inline policy's `PolicyName`, a managed policy's name or logical ID). */
  readonly policyName?: string;
  /** The path to the policy document in its template (`Resources/<id>/Properties/PolicyDocument`), to find its lines. */
  readonly path?: string[];
  /** Finds the line and column of a path of the template. */
  readonly positionOf?: (path: string[]) => { readonly line: number; readonly column: number };
}

/** `Principal` or `NotPrincipal` of a statement. */
export interface PrincipalElement {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly any: boolean;
  /** `AWS` entries (accounts, IAM ARNs, session ARNs), `*` left out. */
  readonly aws: string[];
  readonly service: string[];
  readonly federated: string[];
  readonly canonicalUser: string[];
}

/** One condition of a statement: an operator, a key and the policy's values. */
export interface Condition {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** One statement, normalized. */
export interface Statement {
  /** Its position in the policy's statements (from 0). */
  readonly index: number;
  readonly sid?: string;
  /** `Allow` or `Deny` (anything else never matches). */
  readonly effect: string;
  readonly actions?: string[];
  readonly notActions?: string[];
  /** Absent in a trust policy, whose resource is the role. */
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  readonly conditions: Condition[];
}

/** A policy document, read. */
export interface Policy {
  /** `Version`: policy variables are only replaced in `2012-10-17` documents. */
  readonly version?: string;
  readonly statements: Statement[];
  readonly source: PolicySource;
  /**
   * Part of the document is only known at deploy time (a statement, an effect
   * or a condition block is a deploy-time value), or the document itself is
   * not known (an AWS managed policy): what it allows and denies is unknown.
   */
  readonly unknown?: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value that may be one or many, as a list of strings. */
function strings(value: unknown): string[] {
  if (value === undefined || value === null) { return []; }
  return (Array.isArray(value) ? value : [value]).map(v => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/** An optional element as a list: undefined when the statement does not have it. */
function element(statement: Record<string, unknown>, name: string): string[] | undefined {
  return name in statement ? strings(statement[name]) : undefined;
}

function principalElement(value: unknown): PrincipalElement | undefined {
  if (value === undefined) { return undefined; }
  if (value === '*') { return { any: true, aws: [], service: [], federated: [], canonicalUser: [] }; }
  const object = isObject(value) ? value : {};
  const aws = strings(object.AWS);
  return {
    any: aws.includes('*'),
    aws: aws.filter(p => p !== '*'),
    service: strings(object.Service),
    federated: strings(object.Federated),
    canonicalUser: strings(object.CanonicalUser),
  };
}

/** The conditions of a statement; values written as numbers or booleans are compared as their text. */
function conditions(value: unknown): Condition[] {
  if (!isObject(value)) { return []; }
  const text = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));
  return Object.entries(value).flatMap(([operator, keys]) =>
    isObject(keys) ? Object.entries(keys).map(([key, values]) => ({ operator, key, values: text(values) })) : []);
}

/** A policy whose document is not known: it may allow or deny anything. */
export function unknownPolicy(source: PolicySource): Policy {
  return { statements: [], source, unknown: true };
}

/**
 * Reads a resolved policy document (JSON). A statement, an effect or a
 * condition block that is not what IAM reads (a deploy-time value in its
 * place) makes the policy `unknown`, and is left out.
 */
export function readPolicy(document: unknown, source: PolicySource): Policy {
  if (!isObject(document)) { return unknownPolicy(source); }
  const doc = document;
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  const statements: Statement[] = [];
  let unknown = false;
  raw.forEach((s, index) => {
    const readable = isObject(s) && (s.Effect === 'Allow' || s.Effect === 'Deny')
      && (s.Condition === undefined || (isObject(s.Condition) && Object.values(s.Condition).every(isObject)));
    if (!readable || !isObject(s)) { unknown = true; return; }
    statements.push({
      index,
      ...(typeof s.Sid === 'string' && s.Sid !== '' ? { sid: s.Sid } : {}),
      effect: String(s.Effect),
      actions: element(s, 'Action'),
      notActions: element(s, 'NotAction'),
      resources: element(s, 'Resource'),
      notResources: element(s, 'NotResource'),
      principal: principalElement(s.Principal),
      notPrincipal: principalElement(s.NotPrincipal),
      conditions: conditions(s.Condition),
    });
  });
  return { version: typeof doc.Version === 'string' ? doc.Version : undefined, statements, source, ...(unknown ? { unknown } : {}) };
}

/** How a statement is named in a reason: its Sid, or its position. */
export function statementName(statement: Statement): string {
  return statement.sid !== undefined ? `statement '${statement.sid}'` : `statement ${statement.index}`;
}
