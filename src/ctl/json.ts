/** JSON as the management API sends it and as `--formatter json` prints it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of a JSON list (anything else in it is skipped); [] for a non-list. */
export function jsonObjects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter((v: JsonValue) => isJsonObject(v)) : [];
}

/** A field inside nested objects: field(o, 'message_stats', 'publish'). */
export function field(object: JsonObject, ...path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = Object.hasOwn(current, key) ? current[key] : undefined;
  }
  return current;
}

export function stringField(object: JsonObject, ...path: readonly string[]): string | undefined {
  const v = field(object, ...path);
  return typeof v === 'string' ? v : undefined;
}
