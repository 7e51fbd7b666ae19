import { WARCParser } from 'warcio';
import fs from 'fs';
import zlib from 'zlib';
const path = process.argv[2];
const stream = fs.createReadStream(path);
try {
  const parser = new WARCParser(stream);
  let n = 0;
  for await (const record of parser) {
    await record.readFully(false);
    const h = record.warcHeaders;
    console.log([record.warcType, h.headers.get('WARC-Record-ID') || '', record.warcTargetURI || ''].join('\t'));
    n++;
  }
  console.error('records', n);
} catch (e) { console.error('ERROR', e.message); process.exit(3); }
