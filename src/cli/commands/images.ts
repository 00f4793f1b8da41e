/** berth images and the image subcommands. */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ImageSummary } from '../../wire/images.ts';
import { api } from '../context.ts';
import { filterFlags } from '../filters.ts';
import { ago, formatLine, humanSize, printJson, shortId, table } from '../output.ts';

function rowsOf(images: ImageSummary[], digests: boolean): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const img of images) {
    const tags = img.RepoTags.length ? img.RepoTags : ['<none>:<none>'];
    for (const t of tags) {
      const i = t.lastIndexOf(':');
      const repo = t.slice(0, i);
      const digest = img.RepoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
      rows.push({
        Repository: repo,
        Tag: t.slice(i + 1),
        Digest: digests ? digest : '',
        ID: shortId(img.Id),
        CreatedSince: ago(img.Created),
        CreatedAt: new Date(img.Created * 1000).toISOString(),
        Size: humanSize(img.Size),
      });
    }
  }
  return rows;
}

export async function listImages(
  repo: string | undefined,
  o: { all?: boolean; quiet?: boolean; digests?: boolean; filter?: string[]; format?: string; noTrunc?: boolean },
): Promise<void> {
  const filters = filterFlags(o.filter);
  if (repo) filters.reference = [...(filters.reference ?? []), repo];
  const images = await api().listImages({ all: o.all, filters, digests: o.digests });
  if (o.quiet) {
    const ids = [...new Set(images.map((i) => (o.noTrunc ? i.Id : shortId(i.Id))))];
    process.stdout.write(ids.map((i) => `${i}\n`).join(''));
    return;
  }
  const rows = rowsOf(images, !!o.digests);
  if (o.noTrunc) {
    for (const [i, r] of rows.entries()) r.ID = images[i]?.Id ?? r.ID;
  }
  if (o.format) {
    process.stdout.write(rows.map((r) => `${formatLine(o.format as string, r)}\n`).join(''));
    return;
  }
  const headers = o.digests
    ? ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE']
    : ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];
  const cells = rows.map((r) =>
    o.digests
      ? [r.Repository, r.Tag, r.Digest, r.ID, r.CreatedSince, r.Size]
      : [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size],
  );
  process.stdout.write(table(headers, cells));
}

export async function inspectImages(names: string[], o: { format?: string }): Promise<void> {
  const out: unknown[] = [];
  let failed: Error | undefined;
  for (const n of names) {
    try {
      out.push(await api().inspectImage(n));
    } catch (e) {
      failed = e as Error;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (o.format && o.format !== 'json')
    process.stdout.write(out.map((x) => `${formatLine(o.format as string, x as Record<string, unknown>)}\n`).join(''));
  else printJson(out);
  if (failed) process.exitCode = 1;
}

export async function history(
  name: string,
  o: { quiet?: boolean; noTrunc?: boolean; format?: string; human?: boolean },
): Promise<void> {
  const items = await api().imageHistory(name);
  if (o.quiet) {
    process.stdout.write(
      items.map((i) => `${o.noTrunc ? i.Id : i.Id === '<missing>' ? i.Id : shortId(i.Id)}\n`).join(''),
    );
    return;
  }
  if (o.format === 'json') {
    process.stdout.write(items.map((i) => `${JSON.stringify(i)}\n`).join(''));
    return;
  }
  const rows = items.map((i) => {
    const by = i.CreatedBy.replace(/\s+/g, ' ');
    return [
      i.Id === '<missing>' ? i.Id : o.noTrunc ? i.Id : shortId(i.Id),
      ago(i.Created),
      o.noTrunc || by.length <= 45 ? by : `${by.slice(0, 44)}…`,
      humanSize(i.Size),
      i.Comment,
    ];
  });
  process.stdout.write(table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows));
}

export async function tag(source: string, target: string): Promise<void> {
  const at = target.lastIndexOf(':');
  const slash = target.lastIndexOf('/');
  if (at > slash) await api().tagImage(source, target.slice(0, at), target.slice(at + 1));
  else await api().tagImage(source, target);
}

export async function removeImages(names: string[], o: { force?: boolean; noPrune?: boolean }): Promise<void> {
  let failed = false;
  for (const n of names) {
    try {
      for (const d of await api().removeImage(n, o)) {
        process.stdout.write('Untagged' in d ? `Untagged: ${d.Untagged}\n` : `Deleted: ${d.Deleted}\n`);
      }
    } catch (e) {
      failed = true;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

export async function prune(o: { all?: boolean; force?: boolean; filter?: string[] }): Promise<void> {
  const filters = filterFlags(o.filter);
  if (o.all) filters.dangling = ['false'];
  const r = await api().pruneImages(filters);
  for (const d of r.ImagesDeleted ?? [])
    process.stdout.write('Untagged' in d ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`);
  process.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
}

export async function importImage(
  file: string,
  reference: string | undefined,
  o: { change?: string[]; message?: string },
): Promise<void> {
  const src = file === '-' ? process.stdin : createReadStream(file);
  let repo: string | undefined;
  let t: string | undefined;
  if (reference) {
    const at = reference.lastIndexOf(':');
    const slash = reference.lastIndexOf('/');
    [repo, t] = at > slash ? [reference.slice(0, at), reference.slice(at + 1)] : [reference, undefined];
  }
  for await (const m of api().importImage(src, { repo, tag: t, message: o.message, changes: o.change })) {
    if (m.status) process.stdout.write(`${m.status}\n`);
  }
}

export async function load(o: { input?: string; quiet?: boolean }): Promise<void> {
  const src = o.input ? createReadStream(o.input) : process.stdin;
  if (!o.input && process.stdin.isTTY)
    throw new Error('requested load from stdin, but stdin is empty (use -i FILE or a pipe)');
  for await (const m of api().loadImages(src, o.quiet)) {
    if (m.stream) process.stdout.write(m.stream);
  }
}

export async function save(names: string[], o: { output?: string }): Promise<void> {
  if (!o.output && process.stdout.isTTY)
    throw new Error('refusing to write the image archive to a terminal: use -o FILE or redirect the output');
  const res = await api().saveImages(names);
  await pipeline(res, o.output ? createWriteStream(o.output) : process.stdout);
}

export { printJson };
