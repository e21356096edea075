// Decodes single-object-encoded Avro records (C3 01, 8-byte little-endian CRC-64-AVRO fingerprint, body) with the
// npm `avsc` library and only the shipped .avsc files. Usage: node read-incidents.js AVRO_DIR RECORDS_FILE
// RECORDS_FILE holds one hex-encoded record value per line. Prints one JSON object per record; exits 1 on any
// record whose header or fingerprint does not match the shipped Incident schema.
'use strict';
const fs = require('fs');
const path = require('path');
const avro = require('avsc');

const [avroDir, recordsFile] = process.argv.slice(2);
const registry = {};
const load = (file) => avro.Type.forSchema(JSON.parse(fs.readFileSync(file, 'utf8')), { registry });
for (const name of fs.readdirSync(path.join(avroDir, 'common')).sort()) {
  load(path.join(avroDir, 'common', name));
}
const incident = load(path.join(avroDir, 'Incident.avsc'));

// CRC-64-AVRO (Rabin) over the Parsing Canonical Form, as in the Avro specification.
const EMPTY = 0xc15d213aa4d7a795n;
const table = [];
for (let i = 0; i < 256; i++) {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) {
    fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  }
  table.push(fp & 0xffffffffffffffffn);
}
function rabin(text) {
  let fp = EMPTY;
  for (const b of Buffer.from(text, 'utf8')) {
    fp = ((fp >> 8n) ^ table[Number((fp ^ BigInt(b)) & 0xffn)]) & 0xffffffffffffffffn;
  }
  return fp;
}
const expected = rabin(JSON.stringify(incident.getSchema()));

let failed = false;
for (const line of fs.readFileSync(recordsFile, 'utf8').split('\n').filter((l) => l.trim())) {
  const buf = Buffer.from(line.trim(), 'hex');
  if (buf[0] !== 0xc3 || buf[1] !== 0x01) {
    console.error('not single-object encoded');
    failed = true;
    continue;
  }
  const fingerprint = buf.readBigUInt64LE(2);
  if (fingerprint !== expected) {
    console.error(`fingerprint ${fingerprint.toString(16)} is not the shipped Incident schema's ${expected.toString(16)}`);
    failed = true;
    continue;
  }
  const value = incident.fromBuffer(buf.subarray(10));
  console.log(JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
process.exit(failed ? 1 : 0);
