// HTTP load generator, run in its own process (plain JavaScript, no transpiler) so the process under test does
// not share its event loop with the client. Receives one job over IPC, answers with latencies and statuses.
import http from 'node:http';

process.on('message', async (job) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.url);
  const latencies = new Array(job.requests.length);
  const statuses = {};
  let next = 0;
  const send = (r) =>
    new Promise((resolve) => {
      const body = Buffer.from(r.body);
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: target.hostname, port: target.port, path: r.path ?? target.pathname, method: 'POST', agent, headers: { ...r.headers, 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve([res.statusCode, Number(process.hrtime.bigint() - started) / 1e6]));
        },
      );
      req.on('error', (err) => resolve([`error: ${err.code ?? err.message}`, Number(process.hrtime.bigint() - started) / 1e6]));
      req.end(body);
    });
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= job.requests.length) return;
      const [status, ms] = await send(job.requests[i]);
      latencies[i] = ms;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  process.send({ seconds, latencies, statuses }, () => process.exit(0));
});
