/** Container routes that look inside: archive (cp), export, changes, commit, top, stats, update. */

import { commitContainer, containerRunConfig } from '../../engine/containers/commit.ts';
import { stats, top, update } from '../../engine/containers/inspect-runtime.ts';
import type { Engine } from '../../engine/engine.ts';
import { InvalidArgumentError } from '../../lib/errors.ts';
import type { ImageRunConfig } from '../../oci/image.ts';
import type { ContainerStats } from '../../runtime/stats.ts';
import { parseChanges } from '../changes.ts';
import { qBool, readJson, sendJson } from '../http.ts';
import type { Router } from '../router.ts';

function statHeader(s: unknown): string {
  return Buffer.from(JSON.stringify(s)).toString('base64');
}

export function containerFsRoutes(r: Router, engine: Engine): void {
  const fs = engine.filesystems;
  const svc = engine.containers;
  const pathOf = (q: URLSearchParams) => {
    const p = q.get('path');
    if (!p) throw new InvalidArgumentError('the path parameter is required');
    return p;
  };
  r.head('/containers/{id}/archive', async ({ res, params, query }) => {
    const st = await fs.stat(params.id, pathOf(query));
    res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(st), 'Content-Type': 'application/x-tar' });
    res.end();
  });
  r.get('/containers/{id}/archive', async ({ res, params, query }) => {
    const { stat, tar } = await fs.get(params.id, pathOf(query));
    res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/x-tar' });
    tar.on('error', (e) => res.destroy(e));
    tar.pipe(res);
  });
  r.put('/containers/{id}/archive', async ({ req, res, params, query }) => {
    await fs.put(params.id, pathOf(query), req, qBool(query, 'noOverwriteDirNonDir'));
    res.writeHead(200);
    res.end();
  });
  r.get('/containers/{id}/export', async ({ res, params }) => {
    const { tar } = await fs.export(params.id);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    tar.on('error', (e) => res.destroy(e));
    tar.pipe(res);
    engine.events.publish('container', 'export', svc.get(params.id).Id, {});
  });
  r.get('/containers/{id}/changes', async ({ res, params }) => {
    const changes = await fs.diff(params.id);
    sendJson(res, 200, changes.length ? changes : null);
  });
  r.post('/commit', async ({ req, res, query }) => {
    const container = query.get('container');
    if (!container) throw new InvalidArgumentError('the container parameter is required');
    const body = await readJson<Partial<ImageRunConfig>>(req);
    const base = {
      ...containerRunConfig(svc, container),
      ...Object.fromEntries(
        Object.entries(body).filter(
          ([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '',
        ),
      ),
    };
    const config = parseChanges(query.getAll('changes'), base as ImageRunConfig);
    const repo = query.get('repo');
    const tag = query.get('tag');
    const rec = await commitContainer(svc, fs, engine.content, engine.images, {
      container,
      tag: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
      comment: query.get('comment') ?? undefined,
      author: query.get('author') ?? undefined,
      pause: query.get('pause') === null ? true : qBool(query, 'pause'),
      config,
    });
    engine.events.publish('container', 'commit', svc.get(container).Id, { imageID: rec.id });
    sendJson(res, 201, { Id: rec.id });
  });
  r.get('/containers/{id}/top', async ({ res, params, query }) => {
    sendJson(res, 200, await top(svc.cgroupParent, svc.get(params.id), query.get('ps_args') || '-ef'));
  });
  r.post('/containers/{id}/update', async ({ req, res, params }) => {
    sendJson(res, 200, await update(svc, params.id, await readJson(req)));
  });
  r.get('/containers/{id}/stats', ({ req, res, params, query }) => {
    const rec = svc.get(params.id);
    const stream = query.get('stream') === null ? true : qBool(query, 'stream');
    const oneShot = qBool(query, 'one-shot');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let prev: ContainerStats | undefined;
    const sample = () => {
      const cur = svc.records.find(rec.Id) ?? rec;
      const s = stats(svc.cgroupParent, cur, prev);
      prev = s as unknown as ContainerStats;
      return s;
    };
    if (!stream) {
      if (oneShot) {
        res.end(JSON.stringify(sample()));
        return;
      }
      sample();
      setTimeout(() => res.end(JSON.stringify(sample())), 1000);
      return;
    }
    res.write(`${JSON.stringify(sample())}\n`);
    const t = setInterval(() => {
      const cur = svc.records.find(rec.Id);
      if (!cur) {
        clearInterval(t);
        res.end();
        return;
      }
      res.write(`${JSON.stringify(sample())}\n`);
    }, 1000);
    req.socket.on('close', () => clearInterval(t));
  });
}
