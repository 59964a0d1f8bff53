// Prints well-formed API keys, one a line (default one; the first argument: how many). The guard and the key
// manager check the format and checksum before anything else.
import { generateApiKey } from '@rs/key-domain';

const count = Number(process.argv[2] ?? 1);
console.log(Array.from({ length: count }, () => generateApiKey()).join('\n'));
