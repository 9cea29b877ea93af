// Node-RED settings for Archipelago. The editor and its admin API ask for the admin password (a generated
// secret, shown in the app's credentials); stored flow credentials are encrypted with another generated secret.
// bcryptjs is Node-RED's own dependency: resolve it from there, wherever npm placed it.
const bcrypt = require(
  require.resolve('bcryptjs', {
    paths: ['/opt/node-red/node_modules/node-red', '/opt/node-red/node_modules/@node-red/editor-api'],
  }),
);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`Node-RED is not configured: the environment variable ${name} is missing.`);
  return value;
}

module.exports = {
  uiPort: 1880,
  userDir: '/data',
  flowFile: 'flows.json',
  credentialSecret: required('NODE_RED_CREDENTIAL_SECRET'),
  adminAuth: {
    type: 'credentials',
    users: [
      {
        username: 'admin',
        password: bcrypt.hashSync(required('NODE_RED_ADMIN_PASSWORD'), 10),
        permissions: '*',
      },
    ],
  },
  // Palette installs would write into /data at run time; they stay possible, updates come with the app.
  logging: { console: { level: 'info', metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  functionExternalModules: false,
};
