import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PerimeterInfo, perimeterOf } from '../organization/perimeter-registry';
import { literal } from '../policy/stack-env';

/**
 * What a validation plugin needs of the construct tree, read in one walk per
 * synthesis: the stacks (nested ones with the top-level stack they deploy
 * with), the organisation perimeters, every acknowledged rule id, and each
 * stack's resources. The construct paths of resources are worked out (a
 * logical ID resolved per resource) only for the stacks where a finding needs
 * them, so a clean app pays for the walk alone, however many roles it has.
 */
export class AppIndex {
  /** The top-level stacks, by construct path. */
  public readonly stacks = new Map<string, Stack>();
  /** Every stack, nested ones included, in the order of the tree. */
  public readonly allStacks: Stack[] = [];
  /** The organisation perimeters of the app. */
  public readonly perimeters: PerimeterInfo[] = [];
  /** Every rule id acknowledged anywhere in the app. */
  public readonly acknowledgedIds = new Set<string>();
  private readonly nested = new Map<Stack, Stack[]>();
  private readonly resources = new Map<Stack, CfnResource[]>();
  private readonly byPath = new Map<string, IConstruct>();
  private readonly resourcePaths = new Map<Stack, Map<string, string>>();

  /** @param root the app (the whole tree is read, from its root) */
  constructor(root: IConstruct) {
    this.visit(root.node.root, undefined, undefined);
  }

  /** The stacks nested (at any depth) in a top-level stack. */
  public nestedStacksOf(stack: Stack): Stack[] {
    return this.nested.get(stack) ?? [];
  }

  /** A construct by its path. */
  public construct(constructPath: string): IConstruct | undefined {
    return this.byPath.get(constructPath);
  }

  /** The literal accounts of the app's stacks. */
  public stackAccounts(): string[] {
    return this.allStacks.map(s => literal(s.account)).filter((a): a is string => a !== undefined);
  }

  /** The stacks (nested ones included) below `scope`, or every stack when it is the root. */
  public stacksUnder(scope: IConstruct): Stack[] {
    if (scope.node.scope === undefined) { return this.allStacks; }
    const prefix = `${scope.node.path}/`;
    return this.allStacks.filter(s => s.node.path.startsWith(prefix));
  }

  /** The construct path of a resource of a stack's own template, by logical ID. */
  public resourcePath(stack: Stack, logicalId: string): string | undefined {
    let paths = this.resourcePaths.get(stack);
    if (paths === undefined) {
      paths = new Map((this.resources.get(stack) ?? []).map(r => [stack.resolve(r.logicalId) as string, r.node.path]));
      this.resourcePaths.set(stack, paths);
    }
    return paths.get(logicalId);
  }

  /**
   * Depth first, as `node.findAll()` goes, carrying the stack a construct
   * belongs to (the innermost) and the top-level stack it deploys with.
   */
  private visit(construct: IConstruct, stack: Stack | undefined, top: Stack | undefined): void {
    this.byPath.set(construct.node.path, construct);
    for (const entry of construct.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && typeof entry.data === 'object' && entry.data !== null) {
        Object.keys(entry.data as object).forEach(id => this.acknowledgedIds.add(id));
      }
    }
    const perimeter = perimeterOf(construct);
    if (perimeter !== undefined) { this.perimeters.push(perimeter); }
    if (Stack.isStack(construct)) {
      stack = construct;
      this.allStacks.push(construct);
      // a nested stack, told by its parent (NestedStack.isNestedStack would load a module of aws-cdk-lib's inside validate())
      if (construct.nestedStackParent !== undefined && top !== undefined) {
        this.nested.set(top, [...(this.nested.get(top) ?? []), construct]);
      } else {
        top = construct;
        this.stacks.set(construct.node.path, construct);
      }
    } else if (stack !== undefined && CfnResource.isCfnResource(construct)) {
      const list = this.resources.get(stack);
      if (list === undefined) { this.resources.set(stack, [construct]); } else { list.push(construct); }
    }
    for (const child of construct.node.children) {
      this.visit(child, stack, top);
    }
  }
}
