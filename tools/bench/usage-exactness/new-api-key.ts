// Prints a well-formed API key (the guard checks the format and checksum before asking the key manager).
import { generateApiKey } from '@rs/key-domain';

console.log(generateApiKey());
