import { tableToJSON } from '../../protocol/field-table.js';
import type { FieldTable } from '../../protocol/field-types.js';
import type { JsonObject } from '../json.js';

/** A field table as the API shows arguments and headers (every field value has a JSON form). */
export function tableJson(t: FieldTable): JsonObject {
  return tableToJSON(t) as JsonObject;
}
