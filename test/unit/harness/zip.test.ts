import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { readZipEntries } from '../../support/zip';

interface FileSpec {
  name: string;
  content: Buffer;
  deflate: boolean;
}

/** Writes a ZIP archive with stored or deflated entries, as a reference for the reader. */
function writeZip(files: FileSpec[], comment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const data = file.deflate ? zlib.deflateRawSync(file.content) : file.content;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(file.deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(file.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(file.deflate ? 8 : 0, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(file.content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...locals, directory, end, Buffer.from(comment)]);
}

describe('readZipEntries', () => {
  it('lists names and sizes', () => {
    const content = Buffer.from('x'.repeat(1000));
    const archive = writeZip([
      { name: 'extension/package.json', content: Buffer.from('{}'), deflate: false },
      { name: 'extension/dist/extension.js', content, deflate: true },
    ]);
    const entries = readZipEntries(archive);
    assert.deepEqual(
      entries.map((entry) => entry.name),
      ['extension/package.json', 'extension/dist/extension.js'],
    );
    assert.equal(entries[1].size, 1000);
    assert.ok(entries[1].compressedSize < 100);
  });

  it('reads stored and deflated content', () => {
    const archive = writeZip([
      { name: 'a.txt', content: Buffer.from('stored text'), deflate: false },
      { name: 'ü/b.txt', content: Buffer.from('deflated text '.repeat(20)), deflate: true },
    ]);
    const entries = readZipEntries(archive);
    assert.equal(entries[0].read().toString(), 'stored text');
    assert.equal(entries[1].name, 'ü/b.txt');
    assert.equal(entries[1].read().toString(), 'deflated text '.repeat(20));
  });

  it('finds the directory behind a comment', () => {
    const archive = writeZip([{ name: 'a', content: Buffer.from('1'), deflate: false }], 'a comment');
    assert.equal(readZipEntries(archive)[0].read().toString(), '1');
  });

  it('rejects data that is not a ZIP archive', () => {
    assert.throws(() => readZipEntries(Buffer.alloc(100)), /Not a ZIP archive/);
  });
});
