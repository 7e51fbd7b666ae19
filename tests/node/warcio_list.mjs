// warcio_list.mjs FILE - list the records the warcio package reads in FILE,
// one "type<TAB>record-id<TAB>target-uri" line each, for tests/warc.sh.
// The last line on stderr says whether warcio read the file cleanly:
// "clean N", or "unclean: WHY" when it threw, warned (it warns through
// console about damaged records), or yielded a record that is not a WARC
// record (no WARC-Type, or several merged into one).
import { WARCParser } from 'warcio';
import fs from 'fs';

const path = process.argv[2];
const problems = [];
for (const name of ['warn', 'log', 'info', 'error']) {
  const say = console[name].bind(console);
  console[name] = (...args) => { problems.push(args.join(' ')); say(...args); };
}
const lines = [];
try {
  const parser = new WARCParser(fs.createReadStream(path));
  for await (const record of parser) {
    await record.readFully(false);
    const type = record.warcType || '';
    if (!/^[A-Za-z-]+$/.test(type))
      problems.push(`record at offset ${parser.offset} has WARC-Type "${type}"`);
    const uri = (record.warcTargetURI || '').replace(/^<(.*)>$/, '$1');
    lines.push([type, record.warcHeaders.headers.get('WARC-Record-ID') || '', uri].join('\t'));
  }
} catch (e) {
  problems.push('threw ' + e.message);
}
process.stdout.write(lines.map((l) => l + '\n').join(''));
process.stderr.write(problems.length ? `unclean: ${problems[0]}\n` : `clean ${lines.length}\n`);
