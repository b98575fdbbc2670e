// Writes examples/large.plan.json: 5,000 steps with up to three dependencies each, all on
// earlier steps, so the plan is acyclic and has many parallel stages. A fixed seed makes the
// output the same on every run. Usage: node scripts/gen-large-plan.mjs [steps] [output]
import * as fs from 'node:fs';

const stepCount = Number(process.argv[2] ?? 5000);
const output = process.argv[3] ?? 'examples/large.plan.json';
const tools = ['web_search', 'fetch_url', 'read_file', 'run_query', 'summarize', 'call_agent', 'write_file', 'send_message'];

/** mulberry32: a small seeded generator, enough for reproducible test data. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(20261204);
const width = String(stepCount - 1).length;
const idOf = (index) => `s${String(index).padStart(width, '0')}`;

const lines = [];
for (let index = 0; index < stepCount; index++) {
  const dependencies = new Set();
  const count = index === 0 ? 0 : 1 + Math.floor(random() * 3);
  // Depend on recent steps, so that the plan has long chains as well as wide stages.
  for (let attempt = 0; attempt < count * 2 && dependencies.size < count && index > 0; attempt++) {
    const back = 1 + Math.floor(random() * Math.min(index, 40));
    dependencies.add(idOf(index - back));
  }
  const step = {
    id: idOf(index),
    tool: tools[Math.floor(random() * tools.length)],
    duration_ms: 100 + Math.floor(random() * 900),
    depends_on: [...dependencies].sort(),
  };
  lines.push(`    ${JSON.stringify(step)}`);
}

const text = `{\n  "name": "large-generated-plan",\n  "steps": [\n${lines.join(',\n')}\n  ]\n}\n`;
fs.writeFileSync(output, text);
console.log(`Wrote ${stepCount} steps (${text.length} bytes) to ${output}.`);
