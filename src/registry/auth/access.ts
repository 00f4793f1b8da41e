/**
 * Per-repository access rules from the config:
 *   access:
 *     - { repository: "public/*", users: ["anonymous", "*"], actions: [pull] }
 *     - { repository: "*", users: [admin], actions: [pull, push, delete] }
 * `repository` is a glob (`*` matches any run of characters, `/` included);
 * users: names, `*` (any authenticated user) or `anonymous` (no login).
 * A caller gets the union of the actions of every rule that matches. Without rules,
 * every authenticated user may do everything and anonymous callers nothing.
 */
export interface AccessRule {
  repository: string;
  users: string[];
  actions: string[];
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`);
}

export class AccessRules {
  private readonly rules: { re: RegExp; users: Set<string>; actions: Set<string> }[];
  constructor(rules: AccessRule[] | undefined) {
    this.rules = (rules ?? []).map((r) => ({
      re: globToRegExp(r.repository),
      users: new Set(r.users),
      actions: new Set(r.actions.flatMap((a) => (a === '*' ? ['pull', 'push', 'delete'] : [a]))),
    }));
  }

  /** The actions `user` (undefined: anonymous) may do on repository `name`. */
  granted(user: string | undefined, name: string): Set<string> {
    if (this.rules.length === 0) return new Set(user === undefined ? [] : ['pull', 'push', 'delete']);
    const out = new Set<string>();
    for (const r of this.rules) {
      if (!r.re.test(name)) continue;
      const who = user === undefined ? r.users.has('anonymous') : r.users.has(user) || r.users.has('*');
      if (who) for (const a of r.actions) out.add(a);
    }
    return out;
  }

  allows(user: string | undefined, name: string, action: string): boolean {
    return this.granted(user, name).has(action);
  }

  /** The catalog lists every repository: any authenticated user may read it. */
  allowsCatalog(user: string | undefined): boolean {
    return user !== undefined;
  }
}
