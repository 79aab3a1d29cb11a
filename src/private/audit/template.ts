/**
 * The shapes of CloudFormation template JSON the audit reads. Templates come
 * from files (anything may be in them), so every value is `unknown` until a
 * guard below has narrowed it.
 */

/** A JSON object of a template. */
export type JsonObject = Record<string, unknown>;

/** A resource of a template, as far as the audit reads it. */
export interface TemplateResource {
  readonly Type?: unknown;
  readonly Properties?: unknown;
  readonly Metadata?: unknown;
}

/** Whether a value is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resources of a template, or of a template body; empty when there are none. */
export function resourcesOf(template: unknown): Record<string, TemplateResource> {
  if (!isObject(template) || !isObject(template.Resources)) { return {}; }
  const resources = template.Resources;
  // a template's resources are objects (a copy is made only of a template that has something else there)
  for (const logicalId in resources) {
    if (!isObject(resources[logicalId])) {
      return Object.fromEntries(Object.entries(resources).filter(([, r]) => isObject(r))) as Record<string, TemplateResource>;
    }
  }
  return resources as Record<string, TemplateResource>;
}

/** A resource's `Properties`, empty when it has none. */
export function propertiesOf(resource: TemplateResource): JsonObject {
  return isObject(resource.Properties) ? resource.Properties : {};
}
