const nestAppConfig = require('../../tools/webpack/nest-app.config');

module.exports = nestAppConfig(__dirname, 'key-worker');
