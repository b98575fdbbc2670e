import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fc from 'fast-check';
import type { Finding, OffsetRange } from '../../../src/core/findings';
import { analyzeTrace } from '../../../src/core/trace/analyze';
import { ChunkedTraceReader, TraceLayoutDetector, type TraceLayout } from '../../../src/core/trace/chunked';
import { detectTraceFormat, isSingleDocument, readTraceText } from '../../../src/core/trace/reader';
import { LineIndex } from '../../../src/core/text/lineIndex';

const EVENT = '{"ts":1,"type":"call.start","call":"c1","tool":"t"}';
const CLAUDE_LINE = '{"type":"user","uuid":"u1","sessionId":"s","message":{"role":"user","content":"hi"}}';

/** Splits a text into pieces at the given cut points, which may fall anywhere. */
function pieces(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const result: string[] = [];
  let previous = 0;
  for (const point of [...points, text.length]) {
    result.push(text.slice(previous, point));
    previous = point;
  }
  return result;
}

/** Returns the layout that `readTraceText` gives the whole text. */
function wholeTextLayout(text: string): TraceLayout {
  const format = detectTraceFormat(text);
  return format !== undefined && !isSingleDocument(text) ? { kind: 'lines', format } : { kind: 'other' };
}

function detect(parts: string[]): TraceLayout {
  const detector = new TraceLayoutDetector();
  for (const part of parts) detector.push(part);
  return detector.end();
}

describe('TraceLayoutDetector', () => {
  const cases: Record<string, string> = {
    'native lines': `${EVENT}\n${EVENT}\n`,
    'Claude Code after blank lines': `\n  \r\n${CLAUDE_LINE}\n`,
    'one unterminated event': EVENT,
    'array of messages': '[{"role":"user","content":"hi"}]',
    'pretty-printed object': '{\n  "resourceSpans": []\n}\n',
    'object line then invalid line': `{"a":1}\n${EVENT.slice(0, 10)}\n${EVENT}\n`,
    'plain text': 'hello\n',
    'unknown JSON lines only': '{"a":1}\n{"b":2}\n',
    'no-break space after the event': `${EVENT}\u00a0\n${EVENT}\n`,
    'event after 64 unknown lines': `${'{"a":1}\n'.repeat(64)}${EVENT}\n`,
    'event after 63 unknown lines': `${'{"a":1}\n'.repeat(63)}${EVENT}\n`,
    'unterminated event with a no-break space': `${EVENT}\u00a0`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`matches the whole text: ${name}`, () => {
      assert.deepEqual(detect([text]), wholeTextLayout(text));
      assert.deepEqual(detect(text.split('')), wholeTextLayout(text));
    });
  }

  it('matches the whole text for generated texts', () => {
    const line = fc.constantFrom(EVENT, CLAUDE_LINE, '{"a":1}', '[1]', '{', '}', '"x"', '{"resourceSpans":[', 'garbage', '', '  ', '\u00a0', `  ${EVENT}`, `${EVENT}\u00a0`);
    const text = fc
      .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 8 }), fc.boolean())
      .map(([lines, finalBreak]) => lines.map(([content, lineBreak]) => content + lineBreak).join('') + (finalBreak ? '' : EVENT));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (generated, cuts) => {
        assert.deepEqual(detect(pieces(generated, cuts)), wholeTextLayout(generated));
      }),
      { numRuns: 500 },
    );
  });

  it('decides before the text ends', () => {
    const detector = new TraceLayoutDetector();
    assert.equal(detector.push(EVENT), undefined);
    assert.deepEqual(detector.push('\n{"never read'), { kind: 'lines', format: 'native' });
  });
});

/** Returns every offset range of a finding: its own, its other locations, related places and fix edits. */
function rangesOf(finding: Finding): OffsetRange[] {
  return [finding.range, ...(finding.ranges ?? []), ...finding.related.map((related) => related.range), ...finding.fixes.flatMap((fix) => fix.edits.map((edit) => edit.range))];
}

function withoutPositions(findings: Finding[]): unknown {
  return JSON.parse(JSON.stringify(findings, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

/** Reads a text in pieces and analyses it. */
function readChunked(parts: string[]): Finding[] {
  const reader = new ChunkedTraceReader('native');
  for (const part of parts) reader.push(part);
  return analyzeTrace(reader.end()).findings;
}

describe('ChunkedTraceReader', () => {
  const blankTexts: Record<string, string> = {
    'a blank line of no-break spaces after an empty one': '\n\u00a0\n',
    'no-break spaces only': '\u00a0\u00a0',
    'an empty line then an invalid one and blank ones': '\nnot json\n \n\u00a0\n',
  };
  for (const [name, text] of Object.entries(blankTexts)) {
    it(`reads like readTraceText: ${name}`, () => {
      const expected = analyzeTrace(readTraceText(text, { format: 'native' })).findings;
      assert.deepEqual(withoutPositions(readChunked([text])), withoutPositions(expected));
    });
  }

  it('reads like readTraceText and records LineIndex positions', () => {
    const line = fc.constantFrom(
      '{"ts":1,"type":"call.start","call":"c1","tool":"t","agent":"é"}',
      '{"ts":2,"type":"call.end","call":"c1","status":"error"}',
      '{"ts":3,"type":"call.start","call":"c2","tool":"t😀"}',
      '{"ts":4,"type":"wait.start","wait":"w","call":"c2","for":{"call":"c1"}}',
      '{"ts":5,\r"type":"call.end","call":"c3","status":"ok"}',
      '{"ts":6,"type":"call.e',
      'not\rjson',
      '',
      ' ',
      '\u00a0',
    );
    const text = fc
      .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r\r\n')), { minLength: 1, maxLength: 10 }), fc.boolean())
      .map(([lines, finalBreak]) => {
        const joined = `${EVENT}\n${lines.map(([content, lineBreak]) => content + lineBreak).join('')}`;
        return finalBreak ? joined : joined.replace(/\r*\n$/, '');
      });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (generated, cuts) => {
        const findings = readChunked(pieces(generated, cuts));
        assert.deepEqual(withoutPositions(findings), withoutPositions(analyzeTrace(readTraceText(generated)).findings));

        const index = new LineIndex(generated);
        for (const range of findings.flatMap(rangesOf)) {
          const start = index.positionAt(range.start);
          const end = index.positionAt(range.end);
          assert.deepEqual(range.position, { line: start.line, character: start.character, endLine: end.line, endCharacter: end.character });
        }
      }),
      { numRuns: 300 },
    );
  });
});
