// Writes media/icon.png (128x128): three nodes joined in a cycle, drawn without any image
// library so that the icon can be regenerated offline. The PNG is built by hand: an RGBA
// image, zlib-compressed, in IHDR/IDAT/IEND chunks with CRC-32 checksums.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

const size = 128;
const pixels = Buffer.alloc(size * size * 4);
const background = [0x1e, 0x1e, 0x2e, 255];
const edge = [0xf3, 0x8b, 0xa8, 255];
const node = [0x89, 0xb4, 0xfa, 255];

function paint(x, y, color) {
  if (x < 0 || y < 0 || x >= size || y >= size) return;
  pixels.set(color, (y * size + x) * 4);
}
for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) paint(x, y, background);

const centers = [
  [64, 26],
  [100, 92],
  [28, 92],
];
// Edges: thick line segments between consecutive nodes, closing the cycle.
for (let index = 0; index < centers.length; index++) {
  const [x0, y0] = centers[index];
  const [x1, y1] = centers[(index + 1) % centers.length];
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
  for (let step = 0; step <= steps; step++) {
    const x = x0 + ((x1 - x0) * step) / steps;
    const y = y0 + ((y1 - y0) * step) / steps;
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) paint(Math.round(x + dx), Math.round(y + dy), edge);
  }
}
for (const [cx, cy] of centers) {
  for (let dy = -14; dy <= 14; dy++) {
    for (let dx = -14; dx <= 14; dx++) if (dx * dx + dy * dy <= 196) paint(cx + dx, cy + dy, node);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type RGBA
// Each scanline starts with filter type 0 (none).
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) pixels.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync('media', { recursive: true });
fs.writeFileSync('media/icon.png', png);
console.log(`Wrote media/icon.png (${png.length} bytes).`);
