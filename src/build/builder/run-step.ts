/**
 * The RUN instruction: its command (shell or exec form, heredocs), its
 * cache key (command, ARG values it sees, mounts, network) and, on a miss,
 * the run itself (run.ts) over a writable layer of the parent state.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomId } from '../../lib/ids.ts';
import { DEFAULT_SHELL } from '../config-apply.ts';
import type { RunInstruction } from '../dockerfile/ast.ts';
import type { Lookup } from '../dockerfile/expand.ts';
import { deriveState } from './derive.ts';
import type { StageCtx, StepHost } from './host.ts';
import { runStep } from './run.ts';
import { resolveRunMounts } from './run-mounts.ts';
import { argEnv, DEFAULT_PATH } from './scope.ts';
import type { BuildState } from './state.ts';
import { StepFailed } from './step-failed.ts';

/** The argv a RUN executes and the text Docker shows for it. */
function commandOf(ins: RunInstruction, shell: string[]): { args: string[]; text: string } {
  if (ins.command.form === 'exec') return { args: ins.command.args, text: JSON.stringify(ins.command.args) };
  let script = ins.command.command;
  const only = /^<<-?["']?([^"'\s]+)["']?$/.exec(script.trim());
  if (only && ins.heredocs.length === 1 && ins.heredocs[0].name === only[1]) {
    // `RUN <<EOF … EOF`: the body is the script (a shebang picks its interpreter)
    const body = ins.heredocs[0].content;
    if (body.startsWith('#!')) {
      const interp = body.slice(2, body.indexOf('\n')).trim().split(/\s+/);
      return { args: [...interp, '-c', body], text: body };
    }
    return { args: [...shell, body], text: body };
  }
  for (const h of ins.heredocs) script += `\n${h.content}${h.name}`;
  return { args: [...shell, script], text: script };
}

export function runInstruction(h: StepHost, ctx: StageCtx, ins: RunInstruction, lookup: Lookup): Promise<BuildState> {
  const parent = ctx.state;
  const cfg = parent.config.config ?? {};
  const shell = cfg.Shell ?? DEFAULT_SHELL;
  const { args, text } = commandOf(ins, shell);
  const argVars = argEnv(cfg, ctx.args);
  const network = (ins.network ?? 'default') === 'host' || h.req.network === 'host' ? 'host' : 'none';
  const mountKey = ins.mounts.map((m) => ({ ...m }));
  const shown = ins.command.form === 'exec' ? JSON.stringify(args) : `${shell.join(' ')} ${text}`;
  const createdBy = `${argVars.length ? `|${argVars.length} ${argVars.join(' ')} ` : ''}${shown}`;

  const makeLayer = async () => {
    const id = randomId().slice(0, 12);
    h.say(` ---> Running in ${id}\n`);
    const views: Array<() => Promise<void>> = [];
    const fromRoots = new Map<string, string>();
    const secretDir = join(h.scratch, `secrets-${id}`);
    try {
      for (const m of ins.mounts) {
        if ((m.type === 'bind' || m.type === 'cache') && m.from) {
          const from = m.hasVariables ? h.x(m.from, lookup, ins.line) : m.from;
          if (!fromRoots.has(from)) fromRoots.set(from, await h.openView(from, views));
        }
      }
      const resolved = await resolveRunMounts(ins.mounts, {
        scratch: h.env.scratch,
        secretDir,
        secrets: h.req.secrets,
        contextDir: h.req.contextDir,
        workdir: cfg.WorkingDir || '/',
        expand: (v) => h.x(v, lookup, ins.line),
        fromRoot: (f) => fromRoots.get(f) as string,
      });
      const envList = [...(cfg.Env ?? []), ...argVars, ...resolved.env];
      let code = 0;
      const layer = await h.env.layers.layer(parent, async (root) => {
        code = await runStep({
          root,
          args,
          env: envList.some((e) => e.startsWith('PATH=')) ? envList : [DEFAULT_PATH, ...envList],
          cwd: cfg.WorkingDir || '/',
          user: cfg.User ?? '',
          mounts: resolved.mounts,
          network,
          runtime: h.env.runtime(),
          cgroupParent: h.env.cgroupParent,
          scratch: h.env.scratch,
          output: (c) => h.say(c.toString('utf8')),
          signal: h.signal,
        });
      });
      if (code !== 0) throw new StepFailed(`The command '${shown}' returned a non-zero code: ${code}`, code);
      h.say(` ---> Removed intermediate container ${id}\n`);
      return layer;
    } finally {
      await rm(secretDir, { recursive: true, force: true });
      for (const close of views) await close();
    }
  };

  return h.step(parent, {
    parts: [parent.id, 'RUN', args, argVars, mountKey, network],
    createdBy,
    makeLayer,
    finish: (entry, layer) => deriveState(h.env.content, parent, structuredClone(cfg), entry, layer),
  });
}
