import * as fs from 'node:fs';
import { checkTrace } from './src/core/trace/check';
for (const f of process.argv.slice(2)) {
  const r = checkTrace(fs.readFileSync(f, 'utf8'), f);
  console.log('==', f, r.format);
  for (const x of r.findings) console.log(x.kind, x.calls, x.spans, x.tool, JSON.stringify(x.data), '\n   ', x.message);
}
