import { IConstruct } from 'constructs';

/** What the trust checks need to know of an `OrganizationTrustPerimeter` of the app. */
export interface PerimeterInfo {
  /** The construct path of the perimeter. */
  readonly path: string;
  /** The organization inside which the perimeter lets principals in. */
  readonly organizationId: string;
  /** Accounts declared members of the organization (`memberAccounts`). */
  readonly memberAccounts: string[];
  /** The third-party accounts the perimeter lets in on an external ID, computed when asked (the app must be complete). */
  thirdPartyAccounts(): string[];
}

const PERIMETERS = new WeakMap<IConstruct, PerimeterInfo>();

/** Records a perimeter, so that the trust checks find it in the construct tree. */
export function registerPerimeter(construct: IConstruct, info: PerimeterInfo): void {
  PERIMETERS.set(construct, info);
}

/** The perimeter a construct stands for, if it is one (the trust checks' walk of the tree asks each construct). */
export function perimeterOf(construct: IConstruct): PerimeterInfo | undefined {
  return PERIMETERS.get(construct);
}
