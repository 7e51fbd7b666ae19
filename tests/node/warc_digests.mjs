// warc_digests.mjs ARCHIVE - read a WARC with warcio (an independent reader)
// and recompute every WARC-Block-Digest and WARC-Payload-Digest two ways:
//  1. warcio frames the records (parseHttp off), node's crypto hashes the raw
//     block and the payload after the HTTP head;
//  2. warcio's own WARCSerializer.digestRecord({recompute: true}).
// Prints one line per record ("TYPE URI block=ok payload=ok") and a summary;
// exits 1 on any mismatch, 3 when warcio cannot read the file.
import { WARCParser, WARCSerializer } from 'warcio';
import crypto from 'crypto';
import fs from 'fs';

const path = process.argv[2];
const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf) {
  let bits = 0, value = 0, out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHA[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHA[(value << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}

function sha1(buf) {
  return 'sha1:' + base32(crypto.createHash('sha1').update(buf).digest());
}

function headEnd(buf) {
  for (let i = 0; i + 3 < buf.length; i++)
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i + 4;
  return -1;
}

let records = 0, matched = 0, mismatched = 0;
function verdict(want, got) {
  if (!want) return 'absent';
  if (want.toUpperCase() === got.toUpperCase()) { matched++; return 'ok'; }
  mismatched++;
  return `MISMATCH(${got})`;
}

try {
  for await (const rec of new WARCParser(fs.createReadStream(path), { parseHttp: false })) {
    const block = await rec.readFully(false);
    const at = headEnd(block);
    const b = verdict(rec.warcBlockDigest, sha1(block));
    const p = verdict(rec.warcPayloadDigest, at < 0 ? 'sha1:none' : sha1(block.subarray(at)));
    console.log(`${rec.warcType} ${rec.warcTargetURI || '-'} block=${b} payload=${p}`);
    records++;
  }
  for await (const rec of new WARCParser(fs.createReadStream(path), { keepHeadersCase: true })) {
    const wantBlock = rec.warcBlockDigest, wantPayload = rec.warcPayloadDigest;
    const ser = new WARCSerializer(rec, { digest: { algo: 'sha-1', prefix: 'sha1:', base32: true } });
    await ser.digestRecord({ recompute: true });
    const b = rec.warcType === 'warcinfo' ? 'ok' : verdict(wantBlock, rec.warcBlockDigest);
    const p = verdict(wantPayload, rec.warcPayloadDigest || '');
    console.log(`warcio-recompute ${rec.warcType} ${rec.warcTargetURI || '-'} block=${b} payload=${p}`);
  }
} catch (e) {
  console.error('ERROR', e.message);
  process.exit(3);
}
console.log(`${records} records, ${matched} digests matched, ${mismatched} mismatched`);
process.exit(mismatched ? 1 : 0);
