// Runs Maven (batch mode, default ~/.m2) with a progress line every few seconds.
import { log, runLogged, ticker, which, fmtMs } from './common.mjs';

// Pinned and fully qualified so Maven 3.8's old default plugin version is never used.
export const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const UNIT = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

export async function mvn(what, args, { cwd, logFile, env }) {
  const bin = which('mvn');
  if (!bin) throw new Error(`${what}: Maven ('mvn') is not on PATH; install it (Debian: apt-get install -y maven)`);
  let files = 0;
  let bytes = 0;
  let last = '';
  const tick = ticker(
    what,
    () => `${files} files downloaded (${(bytes / 1e6).toFixed(1)} MB)${last ? `, last ${last}` : ''}`,
    5000,
  );
  try {
    await runLogged(what, bin, ['-B', ...args], {
      cwd,
      env,
      logFile,
      onLine: (line) => {
        const m = line.match(/Downloaded from [^:]+: \S*\/([^/\s]+) \((\d+(?:\.\d+)?) (B|kB|KB|MB|GB)/);
        if (m) {
          files++;
          bytes += Number(m[2]) * (UNIT[m[3]] || 1);
          last = m[1];
        }
      },
    });
  } finally {
    tick.stop();
  }
  log(`  ${what}: maven done in ${fmtMs(tick.elapsed())}, ${files} files downloaded (${(bytes / 1e6).toFixed(1)} MB)`);
  return { files, bytes };
}
