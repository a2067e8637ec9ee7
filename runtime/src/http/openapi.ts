/**
 * The OpenAPI document the app serves: runtime/openapi.json, with `/webhooks/{source}`'s `source`
 * parameter narrowed to the configured sources' names (an enum), or the path left out when none is
 * configured (every request to it would be a 404).
 */
export const SOURCE_PATH = '/webhooks/{source}';

type Json = Record<string, unknown>;

export function servedOpenApi<T extends object>(document: T, names: readonly string[]): T {
  const doc = structuredClone(document) as T & { paths: Record<string, Json> };
  const path = doc.paths[SOURCE_PATH] as
    { post?: { parameters?: Array<{ name?: string; in?: string; schema?: Json }> } } | undefined;
  if (path === undefined) return doc;
  if (names.length === 0) {
    delete doc.paths[SOURCE_PATH];
    return doc;
  }
  for (const parameter of path.post?.parameters ?? []) {
    if (parameter.name === 'source' && parameter.in === 'path') {
      parameter.schema = { ...parameter.schema, enum: [...names] };
    }
  }
  return doc;
}
