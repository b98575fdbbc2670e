import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');

/** Fields of `AgentDeadlockLaunchArguments`, each with the doc comment line above it. */
function interfaceFields(): Map<string, string> {
  const text = fs.readFileSync(path.join(root, 'src/extension/run/launchArguments.ts'), 'utf8');
  const fields = new Map<string, string>();
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const match = /^ {2}(\w+)\??: /.exec(line);
    if (match) fields.set(match[1], lines[index - 1].trim());
  });
  return fields;
}

test('launch arguments mirror the package.json schema', () => {
  const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { debuggers: { type: string; configurationAttributes: { launch: { properties: Record<string, { description?: string }>; required: string[] } } }[] };
  };
  const debuggerEntry = packageJson.contributes.debuggers.find((entry) => entry.type === 'agent-deadlock');
  assert.ok(debuggerEntry, 'package.json declares no agent-deadlock debugger');
  const schema = debuggerEntry.configurationAttributes.launch;
  const fields = interfaceFields();

  // VS Code sets `noDebug` itself, so the schema leaves it out.
  const interfaceNames = [...fields.keys()].filter((name) => name !== 'noDebug').sort();
  assert.deepEqual(interfaceNames, Object.keys(schema.properties).sort());
  assert.deepEqual(schema.required, ['program']);
  for (const [name, doc] of fields) {
    assert.match(doc, /^\/\*\* .+ \*\/$/, `field ${name} has no one-line doc comment`);
  }
  // Descriptions are `%key%` references to package.nls.json, which contains the text.
  const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
  for (const [name, property] of Object.entries(schema.properties)) {
    assert.equal(typeof property.description, 'string', `schema property ${name} has no description`);
    const key = /^%([\w.-]+)%$/.exec(property.description ?? '')?.[1];
    assert.ok(key, `schema property ${name} has the description ${property.description}, not a %key% of package.nls.json`);
    assert.ok((nls[key] ?? '').length > 10, `schema property ${name} has a description too short to help`);
  }
});
