import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileError } from './errors.ts';
import { parseDockerfile } from './parse.ts';

function fails(text: string, line: number, message: RegExp): void {
  assert.throws(
    () => parseDockerfile(text),
    (e: unknown) => {
      assert.ok(e instanceof DockerfileError, `not a DockerfileError: ${e}`);
      assert.equal(e.kind, 'InvalidArgument');
      assert.equal(e.line, line, `line of: ${e.message}`);
      assert.match(e.message, message);
      assert.ok(e.message.startsWith(line > 0 ? `Dockerfile:${line}: ` : 'Dockerfile: '), e.message);
      return true;
    },
  );
}

/** [name, whole Dockerfile, line, message] */
const BAD: [string, string, number, RegExp][] = [
  ['unknown instruction with a suggestion', 'FROM x\nRUNN echo', 2, /unknown instruction: RUNN \(did you mean RUN\?\)/],
  ['unknown instruction, nothing close', 'FROM x\nFROBNICATE a', 2, /^Dockerfile:2: unknown instruction: FROBNICATE$/],
  ['unterminated heredoc', 'FROM x\nRUN <<EOF\necho\n', 2, /unterminated heredoc/],
  ['unterminated second heredoc', 'FROM x\nRUN <<A <<B\na\nA\nb\n', 2, /unterminated heredoc B/],
  ['unknown flag', 'FROM x\nRUN --mnt=type=cache,target=/x true', 2, /unknown flag: --mnt/],
  ['flag on an instruction without flags', 'FROM x\nENV --a=b c=d', 2, /unknown flag: --a/],
  ['COPY flag on ADD', 'FROM x\nADD --from=a b c', 2, /unknown flag: --from/],
  ['flag without value', 'FROM x\nCOPY --chown a b', 2, /missing a value on flag: --chown/],
  ['duplicate flag', 'FROM x\nCOPY --from=a --from=b c d', 2, /duplicate flag specified: --from/],
  ['bad boolean', 'FROM x\nCOPY --link=maybe a b', 2, /expecting boolean value for flag --link/],
  ['bad network', 'FROM x\nRUN --network=bridge true', 2, /network mode "bridge" not supported/],
  [
    'bad mount type',
    'FROM x\nRUN --mount=type=cahce,target=/x true',
    2,
    /unsupported mount type "cahce" \(did you mean cache\?\)/,
  ],
  ['mount without target', 'FROM x\nRUN --mount=type=cache true', 2, /mount target must be specified/],
  ['bad mount key', 'FROM x\nRUN --mount=type=cache,target=/x,sharng=locked true', 2, /unexpected key 'sharng'/],
  [
    'sharing on bind',
    'FROM x\nRUN --mount=target=/x,sharing=locked true',
    2,
    /unexpected key 'sharing' for mount type 'bind'/,
  ],
  ['bad sharing', 'FROM x\nRUN --mount=type=cache,target=/x,sharing=all true', 2, /unsupported sharing value/],
  ['bad uid', 'FROM x\nRUN --mount=type=cache,target=/x,uid=me true', 2, /invalid value for uid/],
  ['secret with from', 'FROM x\nRUN --mount=type=secret,id=a,from=b true', 2, /should not have a from/],
  ['SHELL not JSON', 'FROM x\nSHELL /bin/sh -c', 2, /SHELL requires the arguments to be in JSON form/],
  ['SHELL empty JSON', 'FROM x\nSHELL []', 2, /SHELL requires at least one argument/],
  ['non-string JSON array', 'FROM x\nCMD ["a", 1]', 2, /arrays must be comprised of strings only/],
  ['RUN without arguments', 'FROM x\nRUN', 2, /RUN requires at least one argument/],
  ['RUN empty JSON', 'FROM x\nRUN []', 2, /RUN requires at least one argument/],
  ['COPY one argument', 'FROM x\nCOPY a', 2, /COPY requires at least two arguments/],
  ['COPY heredoc as destination', 'FROM x\nCOPY a <<EOF\nx\nEOF', 2, /heredoc as a destination/],
  ['ENV without value (legacy)', 'FROM x\nENV A', 2, /ENV must have two arguments/],
  ['ENV mixed forms', 'FROM x\nENV A=1 B', 2, /can't find = in "B"/],
  ['ENV blank name', 'FROM x\nENV =1', 2, /ENV names can not be blank/],
  ['LABEL without arguments', 'FROM x\nLABEL', 2, /LABEL requires at least one argument/],
  ['ARG without arguments', 'FROM x\nARG', 2, /ARG requires at least one argument/],
  ['EXPOSE without arguments', 'FROM x\nEXPOSE', 2, /EXPOSE requires at least one argument/],
  ['USER without arguments', 'FROM x\nUSER', 2, /USER requires exactly one argument/],
  ['WORKDIR without arguments', 'FROM x\nWORKDIR  ', 2, /WORKDIR requires exactly one argument/],
  ['VOLUME empty string', 'FROM x\nVOLUME [""]', 2, /VOLUME specified can not be an empty string/],
  ['HEALTHCHECK unknown type', 'FROM x\nHEALTHCHECK RUN true', 2, /Unknown type "RUN" in HEALTHCHECK \(try CMD\)/],
  ['HEALTHCHECK NONE with args', 'FROM x\nHEALTHCHECK NONE x', 2, /HEALTHCHECK NONE takes no arguments/],
  ['HEALTHCHECK CMD without command', 'FROM x\nHEALTHCHECK CMD', 2, /Missing command after HEALTHCHECK CMD/],
  ['HEALTHCHECK bad duration', 'FROM x\nHEALTHCHECK --interval=5 CMD true', 2, /missing unit in duration/],
  ['HEALTHCHECK tiny duration', 'FROM x\nHEALTHCHECK --timeout=10us CMD true', 2, /cannot be less than 1ms/],
  ['HEALTHCHECK negative retries', 'FROM x\nHEALTHCHECK --retries=-1 CMD true', 2, /--retries cannot be negative/],
  ['ONBUILD ONBUILD', 'FROM x\nONBUILD ONBUILD RUN a', 2, /Chaining ONBUILD/],
  ['ONBUILD FROM', 'FROM x\nONBUILD FROM y', 2, /FROM isn't allowed as an ONBUILD trigger/],
  ['ONBUILD MAINTAINER', 'FROM x\nONBUILD maintainer y', 2, /MAINTAINER isn't allowed as an ONBUILD trigger/],
  ['ONBUILD with a bad trigger', 'FROM x\nONBUILD RUNN a', 2, /unknown instruction: RUNN/],
  ['ONBUILD empty', 'FROM x\nONBUILD', 2, /ONBUILD requires at least one argument/],
  ['FROM with two arguments', 'FROM a b', 1, /FROM requires either one or three arguments/],
  ['FROM with a bad AS', 'FROM a AT b', 1, /FROM requires either one or three arguments/],
  ['FROM with a bad stage name', 'FROM a AS 1st', 1, /invalid name for build stage/],
  ['FROM with an unknown flag', 'FROM --plat=x a', 1, /unknown flag: --plat/],
  ['duplicate stage name', 'FROM a AS b\nFROM c AS B', 2, /duplicate stage name "b"/],
  ['no FROM at all', 'ARG A=1', 0, /no build stage/],
  ['instruction before FROM', 'ARG A\nRUN true\nFROM x', 2, /RUN before the first FROM/],
  ['empty file', '# just a comment\n\n', 0, /file with no instructions/],
  [
    'foreign frontend',
    '# syntax=example.com/my/frontend:1\nFROM x',
    1,
    /unsupported frontend "example.com\/my\/frontend:1"/,
  ],
  ['dockerfile-upstream is refused', '# syntax=docker/dockerfile-upstream:master\nFROM x', 1, /unsupported frontend/],
  ['bad escape directive', '# escape=x\nFROM x', 1, /invalid escape token 'x'/],
  ['duplicate directive', '# escape=`\n# escape=\\\nFROM x', 2, /only one escape parser directive/],
  [
    'line number after continuations and heredocs',
    'FROM x\nRUN a \\\n b\nRUN <<E\n1\nE\nBAD x',
    7,
    /unknown instruction: BAD/,
  ],
];

for (const [name, text, line, message] of BAD) {
  test(`rejects: ${name}`, () => fails(text, line, message));
}

test('the file name given appears in the message', () => {
  assert.throws(() => parseDockerfile('FROM x\nRUNN a', { file: 'build/Dockerfile.dev' }), {
    message: 'build/Dockerfile.dev:2: unknown instruction: RUNN (did you mean RUN?)',
  });
});
