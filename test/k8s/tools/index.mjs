// The suite's entry into its pinned tools (resolved from this folder's node_modules): YAML
// parsing, the Kubernetes 1.36 schemas compiled by kubernetes-models, and a strict check of
// unknown fields through the same package's TypeScript types.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const TOOLS_DIR = dirname(fileURLToPath(import.meta.url));
export const KUBECTL = join(TOOLS_DIR, 'bin', 'kubectl');
/** The Kubernetes version the schemas of kubernetes-models 5.1.0 were generated from. */
export const SCHEMA_KUBERNETES_VERSION = '1.36.0';

/** Renders a kustomization directory with kubectl's built-in kustomize; returns the objects. */
export function render(dir) {
  const out = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
  return parseYaml(out);
}

export function parseYaml(text) {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS();
  });
}

/** Module path of an object's model in kubernetes-models: `apps/v1/Deployment`, `v1/Service`. */
function modelPath({ apiVersion, kind }) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Schema errors of one object (empty when valid); unknown kinds are an error too. */
export async function schemaErrors(object) {
  if (object.kind === 'Secret' && object.data) {
    // kustomize wraps long base64 values; the API server's decoder ignores line breaks.
    const data = Object.fromEntries(
      Object.entries(object.data).map(([k, v]) => [k, String(v).replace(/\n/g, '')]),
    );
    object = { ...object, data };
  }
  let model;
  try {
    model = await import(modelPath(object));
  } catch {
    return [`no schema for ${object.apiVersion} ${object.kind}`];
  }
  const Model = model[object.kind];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/**
 * Fields the Kubernetes API does not know (a typo such as `readinesProbe` passes the OpenAPI
 * schemas, which allow extra properties, and the API server would drop it). Checked by
 * TypeScript's excess-property rule against kubernetes-models' interfaces.
 */
export async function unknownFieldErrors(objects) {
  const ts = (await import('typescript')).default;
  const lines = [];
  objects.forEach((object, i) => {
    const kind = object.kind;
    lines.push(`import type { I${kind} as T${i} } from '${modelPath(object)}';`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(object)};`);
  });
  const dir = mkdtempSync(join(TOOLS_DIR, '.strict-'));
  const file = join(dir, 'manifests.ts');
  writeFileSync(file, lines.join('\n'));
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      const line =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      const object = line >= 0 ? objects[Math.floor(line / 2)] : undefined;
      return `${object ? `${object.kind}/${object.metadata?.name}: ` : ''}${message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
