// The builds of `npm start -- --watch`, as a child process of tools/dev/watch.mjs (reports over IPC): webpack's own
// watcher over the configuration each app's `nx build` runs (apps/<app>/webpack.config.js), one compiler per app
// in one process. webpack knows every file a bundle is made of, so a change rebuilds exactly the apps whose bundle
// contains the changed file: an app's sources, or a lib it imports.
//
//   node tools/dev/webpack-watch.cjs <app>...
'use strict';
const path = require('node:path');
const webpack = require('webpack');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

const ROOT = path.resolve(__dirname, '..', '..');
const send = (message) => process.send?.(message);

// The mode `nx build` uses (the build target sets NODE_ENV=production): an app whose code did not change is rebuilt
// byte for byte, and tools/dev/watch.mjs does not restart it.
process.env.NODE_ENV = 'production';

// The Nx plugin turns webpack's cache off outside its own executors; without it every rebuild starts from scratch.
const keepModulesInMemory = {
  apply: (compiler) => {
    compiler.options.cache = { type: 'memory' };
  },
};

const configs = process.argv.slice(2).map((app) => {
  // NxAppWebpackPlugin finds its project and target in the environment of the Nx task it runs in.
  process.env.NX_TASK_TARGET_PROJECT = app;
  process.env.NX_TASK_TARGET_TARGET = 'build';
  const config = require(path.join(ROOT, 'apps', app, 'webpack.config.js'));
  for (const plugin of config.plugins) {
    // Type checking is `nx typecheck`'s and the editor's job: one checker per app here would cost more CPU than
    // all the builds on a small machine.
    if (plugin instanceof NxAppWebpackPlugin) plugin.options.typeCheckOptions = false;
  }
  return { ...config, name: app, plugins: [...config.plugins, keepModulesInMemory] };
});

const compiler = webpack(configs);
for (const one of compiler.compilers) {
  one.hooks.invalid.tap('rs-watch', (file) => {
    send({ type: 'changed', app: one.name, file: file ? path.relative(ROOT, file) : null });
  });
  one.hooks.done.tap('rs-watch', (stats) => {
    const errors = stats.hasErrors() ? stats.toJson({ all: false, errors: true }).errors : [];
    send({
      type: 'built',
      app: one.name,
      ok: errors.length === 0,
      ms: stats.endTime - stats.startTime,
      errors: errors.slice(0, 3).map((error) => `${error.moduleName ?? ''} ${error.message}`.trim()),
    });
  });
}
compiler.watch({ aggregateTimeout: 300 }, (error) => {
  if (error) send({ type: 'failed', message: error.message });
});

// The parent (`npm start`) gone, nobody reads the builds any more.
process.on('disconnect', () => process.exit(0));
