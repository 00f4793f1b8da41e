import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { program } from './main.ts';
import { commandWord } from './narrow.ts';

/** A command's definition as data: names, options, arguments, subcommands. */
function shape(c: Command): unknown {
  return {
    name: c.name(),
    aliases: c.aliases(),
    options: c.options.map((o) => o.flags),
    args: c.registeredArguments.map((a) => a.name()),
    commands: c.commands.map(shape),
  };
}

test('a narrowed program defines exactly the typed command, as the full program does', () => {
  const full = program();
  assert.ok(full.commands.length > 40);
  for (const c of full.commands) {
    const narrow = program(c.name());
    assert.equal(narrow.commands.length, 1, c.name());
    assert.deepEqual(shape(narrow.commands[0]), shape(c));
    assert.deepEqual(
      narrow.options.map((o) => o.flags),
      full.options.map((o) => o.flags),
    );
  }
});

test('an unknown word or an alias defines nothing, so main falls back to the full program', () => {
  assert.equal(program('pss').commands.length, 0);
  assert.equal(program('help').commands.length, 0);
});

test('the command word follows the global options only', () => {
  assert.equal(commandWord(['ps', '-a']), 'ps');
  assert.equal(commandWord(['-H', 'unix:///x', 'images']), 'images');
  assert.equal(commandWord(['--host=tcp://h:2375', 'container', 'ls']), 'container');
  assert.equal(commandWord(['-Hunix:///x', 'ps']), 'ps');
  assert.equal(commandWord(['--help']), undefined);
  assert.equal(commandWord(['-v']), undefined);
  assert.equal(commandWord([]), undefined);
});
