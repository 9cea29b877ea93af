// Puts the account VERDACCIO_USER with the password VERDACCIO_PASSWORD (the app's generated secret) into
// the htpasswd file named by the first argument, as a bcrypt hash, which verdaccio-htpasswd verifies. Run at
// every start: a line that already verifies is kept, a missing or stale one is replaced, other lines stay.
// The file is replaced atomically and readable by this user only.
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
// bcryptjs is verdaccio-htpasswd's own dependency: resolve it from there, wherever npm placed it.
const bcrypt = require(
  require.resolve('bcryptjs', { paths: ['/opt/verdaccio/node_modules/verdaccio-htpasswd'] }),
);

const file = process.argv[2];
const user = process.env.VERDACCIO_USER;
const password = process.env.VERDACCIO_PASSWORD;
if (!file || !user || !password)
  throw new Error('usage: VERDACCIO_USER=… VERDACCIO_PASSWORD=… htpasswd.cjs FILE');

let lines = [];
try {
  lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
const own = (line) => line.split(':', 1)[0] === user;
const current = lines.find(own);
const hash = current?.split(':')[1];
if (hash && /^\$2[aby]\$/.test(hash) && bcrypt.compareSync(password, hash)) {
  console.log(`htpasswd: ${user} is up to date`);
} else {
  const line = `${user}:${bcrypt.hashSync(password, 10)}:written from the generated secret`;
  const next = [...lines.filter((l) => !own(l)), line].join('\n') + '\n';
  writeFileSync(`${file}.tmp`, next, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  console.log(`htpasswd: ${user} ${current ? 'updated' : 'added'}`);
}
