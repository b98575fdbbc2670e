/**
 * Text exports of a graph: Graphviz DOT and Mermaid flowcharts, with cycle members marked.
 * Ids are arbitrary strings, so every id is quoted or mapped to a generated name.
 */
import type { GraphModel, GraphNode } from '../../shared/graphModel';
import { escapeControlCharacters } from './escape';

/** Line breaks in an id: CRLF, a lone CR or LF, and the Unicode line and paragraph separators. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

/**
 * Quotes a string for DOT. A line break becomes DOT's `\n`, which a label draws as a new line.
 * Other control characters are written as visible `\u001b`-style text, with the backslash
 * doubled so Graphviz prints it instead of reading an escape, and so no raw control character
 * reaches the output.
 * NOTE: an id with a raw control character and an id that spells out the same escape as text
 * map to one DOT string, so such a pair draws as one node.
 */
function dotString(value: string): string {
  const lines = value.split(LINE_BREAK).map((line) => escapeControlCharacters(line).replace(/\\/g, '\\\\').replace(/"/g, '\\"'));
  return `"${lines.join('\\n')}"`;
}

function dotNodeAttributes(node: GraphNode): string {
  const attributes = [`label=${dotString(node.tool ? `${node.label}\n${node.tool}` : node.label)}`];
  switch (node.status) {
    case 'cycle':
      attributes.push('color=red', 'penwidth=2', 'fontcolor=red');
      break;
    case 'blocked':
      attributes.push('style=dashed', 'color=gray40', 'fontcolor=gray40');
      break;
    case 'missing':
      attributes.push('style="dashed,rounded"', 'shape=box', 'color=gray60', 'fontcolor=gray60');
      break;
    default:
      break;
  }
  if (node.lockInversion) attributes.push('peripheries=2');
  return attributes.join(', ');
}

/** Graphviz DOT. Edges point from a step to what it waits for; edges on a cycle are red. */
export function toDot(model: GraphModel): string {
  const lines = [`digraph ${dotString(model.title)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const component of model.components) {
    lines.push(`  subgraph ${dotString(`cluster_cycle_${component.id}`)} {`, '    label="cycle"; color=red; style=dashed;');
    for (const member of component.members) lines.push(`    ${dotString(member)};`);
    lines.push('  }');
  }
  for (const node of model.nodes) lines.push(`  ${dotString(node.id)} [${dotNodeAttributes(node)}];`);
  for (const edge of model.edges) {
    let attributes = '';
    if (edge.onCycle) attributes = ' [color=red, penwidth=2]';
    else if (edge.kind !== 'dependency') attributes = ` [label=${dotString(edge.label ?? edge.kind)}]`;
    lines.push(`  ${dotString(edge.source)} -> ${dotString(edge.target)}${attributes};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mermaidLabel(value: string): string {
  // Mermaid labels are quoted, so a double quote inside is written as an HTML entity. A line
  // break would end the node's statement, so it becomes a space, and other control characters
  // are written as visible escapes.
  const text = escapeControlCharacters(value.split(LINE_BREAK).join(' '));
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** Mermaid flowchart. Node names are generated (n0, n1, …) because ids may contain any character. */
export function toMermaid(model: GraphModel): string {
  const names = new Map<string, string>();
  model.nodes.forEach((node, index) => names.set(node.id, `n${index}`));
  const lines = ['flowchart LR'];
  for (const node of model.nodes) {
    const name = names.get(node.id)!;
    const label = mermaidLabel(node.tool ? `${node.label} (${node.tool})` : node.label);
    lines.push(node.kind === 'missing' ? `  ${name}([${label}])` : `  ${name}[${label}]`);
  }
  const cycleEdges: number[] = [];
  model.edges.forEach((edge, index) => {
    const source = names.get(edge.source);
    const target = names.get(edge.target);
    if (!source || !target) return;
    lines.push(`  ${source} --> ${target}`);
    if (edge.onCycle) cycleEdges.push(index);
  });
  lines.push('  classDef cycle stroke:#d33,stroke-width:3px,color:#d33;');
  lines.push('  classDef blocked stroke-dasharray:5 5,opacity:0.6;');
  lines.push('  classDef missing stroke-dasharray:3 3,color:#888;');
  for (const status of ['cycle', 'blocked', 'missing'] as const) {
    const members = model.nodes.filter((node) => node.status === status).map((node) => names.get(node.id)!);
    if (members.length > 0) lines.push(`  class ${members.join(',')} ${status};`);
  }
  if (cycleEdges.length > 0) lines.push(`  linkStyle ${cycleEdges.join(',')} stroke:#d33,stroke-width:3px;`);
  return `${lines.join('\n')}\n`;
}

/** Serialises the graph model as JSON, for other tools. */
export function toGraphJson(model: GraphModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
