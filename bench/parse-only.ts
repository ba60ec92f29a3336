// `check`'s reading and parsing alone, for the CLI section: a fresh Node.js process that reads, splits and
// parses a manifest set as `ddguard check` does (src/manifests) and does nothing with the objects. Against
// js-yaml parsing the same files in the bench's process, it shows what check's pipeline costs before anything
// is kept or judged: Node.js starting, the modules loading, the files read and split into documents.
//   node dist/bench/parse-only.js DIR
import { streamManifests } from '../src/manifests/load.js';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: parse-only DIR');
let objects = 0;
const { problems } = await streamManifests([dir], () => objects++);
if (problems.length > 0 || objects === 0) throw new Error(`parse-only read ${objects} objects with ${problems.length} problems`);
