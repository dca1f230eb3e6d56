// A small xlsx reader/editor for the browser journeys, with node:zlib only
// (no npm dependency, no zip/unzip on the PATH): an .xlsx is a zip of XML
// parts. Enough to do what a person does in Excel to a downloaded workbook:
// read a sheet's cells by name, type a value into a cell, save.
//
//   const book = readXlsx(bytes);
//   const rows = book.rows('Số liệu');            // [{row: 2, cells: {A: '17', H: ''}}, …]
//   book.set('Số liệu', 'H5', 3);                  // a number cell
//   book.set('Thuyết minh', 'B3', 'Thiếu vốn');    // a text cell (inline string)
//   writeFileSync(f, book.toBuffer());

import { inflateRawSync, deflateRawSync } from 'node:zlib';

// ---------------------------------------------------------------------------
// zip
// ---------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The entries of a zip archive, in order: [{name, data: Buffer}]. */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad zip central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad zip local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`zip entry ${name}: compression method ${method} not supported`);
    entries.push({ name, data });
  }
  return entries;
}

/** A zip archive (deflated entries, UTF-8 names) of [{name, data}]. */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const comp = deflateRawSync(data);
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4); // version needed
    head.writeUInt16LE(0x0800, 6); // UTF-8 names
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt16LE(0, 10); // time
    head.writeUInt16LE(0x21, 12); // date: 1/1/1980
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(comp.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(nameBuf.length, 26);
    head.writeUInt16LE(0, 28);
    locals.push(head, nameBuf, comp);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4); // made by
    cen.writeUInt16LE(20, 6); // needed
    cen.writeUInt16LE(0x0800, 8);
    cen.writeUInt16LE(8, 10);
    cen.writeUInt16LE(0, 12);
    cen.writeUInt16LE(0x21, 14);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(comp.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(nameBuf.length, 28);
    cen.writeUInt32LE(offset, 42);
    centrals.push(cen, nameBuf);
    offset += head.length + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// ---------------------------------------------------------------------------
// xlsx
// ---------------------------------------------------------------------------

const unescapeXml = (s) => s
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
  .replace(/&amp;/g, '&');
const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attr = (tag, name) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1]) : null;
};
/** The text of all <t> elements inside `xml` (a shared string or an inline one). */
const textOf = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g)].map((m) => unescapeXml(m[1] ?? '')).join('');
const colOf = (ref) => /^[A-Z]+/.exec(ref)[0];
const colNum = (col) => [...col].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);

/** Read an .xlsx (Buffer) into an editable workbook. */
export function readXlsx(bytes) {
  const entries = unzip(bytes);
  const get = (name) => entries.find((e) => e.name === name);
  const text = (name) => {
    const e = get(name);
    if (!e) throw new Error(`xlsx: no part ${name} (parts: ${entries.map((x) => x.name).join(', ')})`);
    return e.data.toString('utf8');
  };
  const workbook = text('xl/workbook.xml');
  const rels = text('xl/_rels/workbook.xml.rels');
  const targets = Object.fromEntries([...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => [attr(m[0], 'Id'), attr(m[0], 'Target')]));
  const sheets = [...workbook.matchAll(/<sheet\b[^>]*>/g)].map((m) => {
    const target = targets[attr(m[0], 'r:id')];
    const part = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    return { name: attr(m[0], 'name'), part };
  });
  const shared = get('xl/sharedStrings.xml')
    ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1]))
    : [];

  const partOf = (sheet) => {
    const s = sheets.find((x) => x.name === sheet);
    if (!s) throw new Error(`xlsx: no sheet "${sheet}" (sheets: ${sheets.map((x) => x.name).join(', ')})`);
    return s.part;
  };
  const cellText = (c) => {
    const open = /^<c\b[^>]*>/.exec(c)[0];
    const t = attr(open, 't');
    const v = /<v>([\s\S]*?)<\/v>/.exec(c);
    if (t === 's') return v ? shared[Number(v[1])] ?? '' : '';
    if (t === 'inlineStr') return textOf(c);
    return v ? unescapeXml(v[1]) : '';
  };

  return {
    sheetNames: () => sheets.map((s) => s.name),
    /** Rows of a sheet: [{row: 1-based number, cells: {A: text, …}}]. */
    rows(sheet) {
      const xml = text(partOf(sheet));
      return [...xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)].map((m) => {
        const row = Number(attr(m[0], 'r'));
        const cells = {};
        for (const c of (m[1] ?? '').matchAll(/<c\b[^>]*?(?:\/>|>[\s\S]*?<\/c>)/g)) {
          cells[colOf(attr(c[0], 'r'))] = cellText(c[0]);
        }
        return { row, cells };
      });
    },
    /** Type `value` into cell `ref` ("H5"): a number cell for a number, else an inline string. */
    set(sheet, ref, value) {
      const part = partOf(sheet);
      const entry = get(part);
      let xml = entry.data.toString('utf8');
      const rowNum = Number(/\d+$/.exec(ref)[0]);
      const rowRe = new RegExp(`<row\\b[^>]*\\sr="${rowNum}"[^>]*?(?:/>|>([\\s\\S]*?)</row>)`);
      const rm = rowRe.exec(xml);
      if (!rm) throw new Error(`xlsx: sheet "${sheet}" has no row ${rowNum}`);
      const cellRe = new RegExp(`<c\\b[^>]*\\sr="${ref}"[^>]*?(?:/>|>[\\s\\S]*?</c>)`);
      const old = cellRe.exec(rm[0]);
      const style = old ? attr(/^<c\b[^>]*>/.exec(old[0])[0], 's') : null;
      const s = style != null ? ` s="${style}"` : '';
      const cell = typeof value === 'number'
        ? `<c r="${ref}"${s}><v>${value}</v></c>`
        : `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
      let row;
      if (old) {
        row = rm[0].replace(old[0], () => cell);
      } else {
        // Insert in column order.
        const inner = rm[1] ?? '';
        const cells = [...inner.matchAll(/<c\b[^>]*?(?:\/>|>[\s\S]*?<\/c>)/g)].map((c) => c[0]);
        const at = cells.findIndex((c) => colNum(colOf(attr(c, 'r'))) > colNum(colOf(ref)));
        cells.splice(at < 0 ? cells.length : at, 0, cell);
        const open = /^<row\b[^>]*?(?=\/?>)/.exec(rm[0])[0];
        row = `${open}>${cells.join('')}</row>`;
      }
      xml = xml.replace(rm[0], () => row);
      entry.data = Buffer.from(xml, 'utf8');
    },
    toBuffer: () => zip(entries),
  };
}
