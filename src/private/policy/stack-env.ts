import { Stack, Token } from 'aws-cdk-lib';

/** A literal value of a stack's environment, or undefined when it is a token. */
export function literal(value: string | undefined): string | undefined {
  return value !== undefined && !Token.isUnresolved(value) ? value : undefined;
}

/** The top-level stack a (nested) stack is synthesized with. */
export function topLevelStack(stack: Stack): Stack {
  let current = stack;
  while (current.nestedStackParent !== undefined) { current = current.nestedStackParent; }
  return current;
}

/**
 * The account and region a stack's template deploys to, where literal: its
 * own, or (for a nested stack) those of the top-level stack it deploys with.
 */
export function literalEnvironment(stack: Stack): { readonly account?: string; readonly region?: string } {
  const top = topLevelStack(stack);
  return { account: literal(stack.account) ?? literal(top.account), region: literal(stack.region) ?? literal(top.region) };
}
