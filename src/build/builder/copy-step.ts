/**
 * The COPY and ADD instructions: sources resolved and checksummed
 * (copy.ts) before the cache lookup, the key made of the parent state and
 * that checksum (which covers the destination, --chown and --chmod).
 *
 * COPY --link makes its layer from the copied files alone, in an empty
 * snapshot (layers.ts), so the layer's digest does not depend on the
 * parent; its link key leaves the parent out, so a changed base reuses the
 * layer (step-cache.ts). User and group names in --chown are still looked
 * up in the parent's /etc files, and the numbers they resolve to are part
 * of the link key.
 */
import { errorMessage, InvalidArgumentError } from '../../lib/errors.ts';
import type { CopyInstruction } from '../dockerfile/ast.ts';
import type { Lookup } from '../dockerfile/expand.ts';
import { applyCopy, type CopyPlan, type CopySpec, type Owner, ownerOf, planCopy } from './copy.ts';
import { deriveState } from './derive.ts';
import type { StageCtx, StepHost } from './host.ts';
import type { BuildState } from './state.ts';

const namesIn = (chown: string | undefined) => chown !== undefined && /[^\d:]/.test(chown);

export async function copyInstruction(
  h: StepHost,
  ctx: StageCtx,
  ins: CopyInstruction,
  lookup: Lookup,
): Promise<BuildState> {
  const parent = ctx.state;
  const cfg = parent.config.config ?? {};
  const x = (w: string) => h.x(w, lookup, ins.line);
  const views: Array<() => Promise<void>> = [];
  try {
    const srcRoot = ins.from !== undefined ? await h.openView(x(ins.from), views) : h.req.contextDir;
    const spec: CopySpec = {
      kind: ins.kind,
      srcRoot,
      sources: ins.sources.map(x),
      inline: ins.contents.map((d) => ({ name: d.name, content: d.expand ? x(d.content) : d.content })),
      dest: x(ins.dest),
      workdir: cfg.WorkingDir || '/',
      chown: ins.chown !== undefined ? x(ins.chown) : undefined,
      chmod: ins.chmod !== undefined ? x(ins.chmod) : undefined,
      scratch: h.scratch,
    };
    let plan: CopyPlan;
    let owner: Owner | undefined;
    try {
      plan = await planCopy(spec);
      if (ins.link && namesIn(spec.chown)) {
        owner = await h.env.layers.withView(parent, async (root) => ownerOf(root, spec.chown, spec.chmod));
        spec.owner = owner;
      }
    } catch (e) {
      if (e instanceof InvalidArgumentError) h.fail(ins.line, errorMessage(e));
      throw e;
    }
    const url = ins.sources.some((s) => /^https?:/.test(s));
    return await h.step(parent, {
      parts: [parent.id, ins.kind, plan.checksum, ins.link],
      linkParts: ins.link ? ['link', ins.kind, plan.checksum, owner ?? null] : undefined,
      createdBy: `/bin/sh -c #(nop) ${ins.kind} ${url ? 'url' : 'file'}:${plan.checksum.slice(7)} in ${spec.dest} `,
      makeLayer: () => h.env.layers.layer(parent, (root) => applyCopy(spec, plan, root), { link: ins.link }),
      finish: (entry, layer) => deriveState(h.env.content, parent, structuredClone(cfg), entry, layer),
    });
  } finally {
    for (const close of views) await close();
  }
}
