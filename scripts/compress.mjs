// Writes a brotli (.br) and a gzip (.gz) copy beside every file in a folder, so the server can
// send them without compressing on each request.
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2];
for (const file of readdirSync(dir)) {
  const path = join(dir, file);
  if (!statSync(path).isFile() || /\.(br|gz)$/.test(file)) continue;
  const body = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }));
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
}
