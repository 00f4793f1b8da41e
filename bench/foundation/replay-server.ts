/**
 * The docker CLI's floor for a listing: a server on a unix socket that
 * answers /_ping and replays one recorded /images/json answer at once, so
 * that timing `docker images` against it measures the CLI alone (its start,
 * decoding and table). Run as a child process by run.ts:
 * `node replay-server.js SOCKET BODY_FILE`; prints "up" when listening.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';

const [socket, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
rmSync(socket, { force: true });
createServer((req, res) => {
  const headers = { 'Api-Version': '1.47', Ostype: 'linux' };
  if (req.url?.endsWith('/_ping')) {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/plain' });
    res.end('OK');
  } else if (req.url?.includes('/images/json')) {
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(404, { ...headers, 'Content-Type': 'application/json' });
    res.end('{"message":"only /_ping and /images/json are replayed"}');
  }
}).listen(socket, () => process.stdout.write('up\n'));
