import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';

const schemaPath = new URL('../../fixtures/cap-1.2.xsd', import.meta.url);

/**
 * Validates a document against the CAP 1.2 XML schema (OASIS, `fixtures/cap-1.2.xsd` of this
 * workspace) with libxml2 (xmllint compiled to WebAssembly, so no system package is needed).
 * Resolves to the validator's error messages, empty when the document is valid.
 */
export async function capSchemaErrors(xml: string): Promise<string[]> {
  const schema = await readFile(schemaPath, 'utf8');
  const result = await validateXML({
    xml: { fileName: 'alert.cap.xml', contents: xml },
    schema: { fileName: 'cap-1.2.xsd', contents: schema },
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}
