// warcio_read.mjs ARCHIVE - the warcio npm package reading a WARC fully, as
// the peer of `chaff bulk --scan-only`: every record parsed (WARC and HTTP
// headers) and its payload read and decoded. Prints the record count.
// Imports warcio from tests/node (npm install there).
import fs from 'fs';
import { WARCParser } from '../node/node_modules/warcio/dist/index.js';

let n = 0;
const parser = new WARCParser(fs.createReadStream(process.argv[2]));
for await (const record of parser) {
  await record.readFully(true);
  n++;
}
console.log(n);
