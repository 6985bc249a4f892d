#!/usr/bin/env python3
"""Runs the built `aurora-backup-agent --check-config` over the config corpus.

Bad cases (tests/data/config/bad/*.conf, and bad/*/agent.conf layouts with a policies.d) must exit 1 and
print exactly the errors their "# expect: [FILE:]LINE SETTING" lines declare (SETTING "-" for none,
line 0 for a whole-file error), each as "FILE:LINE: SETTING: ...". Good cases and the shipped examples
must exit 0 with "OK: N policies". A missing file exits 1; a bad command line exits 2. A valid file
holding a probe_command that group or others may write still exits 0 with "OK", and warns on stderr
with the file, the line, the setting and the mode.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXPECT = re.compile(r'^#\s*expect:\s*(?:(\S+):)?(\d+)\s+(\S+)\s*$')
EXPECT_OK = re.compile(r'^#\s*expect-ok:\s*(\d+)\s*$')
EXAMPLES = {'minimal.conf': 1, 'full.conf': 2}

failures = []
checks = 0


def fail(case, why, out=''):
    failures.append(case)
    print(f'FAIL {case}: {why}')
    if out:
        print('  ' + out.rstrip('\n').replace('\n', '\n  '))


def run(agent, *args):
    return subprocess.run([agent, *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


def case_files(main):
    """The main file and every policies.d/*.conf beside it."""
    files = [main]
    d = os.path.join(os.path.dirname(main), 'policies.d')
    if os.path.isdir(d):
        files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith('.conf')]
    return files


def expected_errors(main):
    exp = []
    for f in case_files(main):
        with open(f, encoding='utf-8') as fh:
            for line in fh:
                m = EXPECT.match(line)
                if m:
                    target = os.path.join(os.path.dirname(f), m.group(1)) if m.group(1) else f
                    exp.append((os.path.normpath(target), int(m.group(2)), m.group(3)))
    return exp


def error_prefix(path, line, setting):
    where = f'{path}:{line}: ' if line > 0 else f'{path}: '
    return where + ('' if setting == '-' else f'{setting}: ')


def check_bad(agent, main):
    global checks
    checks += 1
    exp = expected_errors(main)
    if not exp:
        fail(main, 'declares no "# expect:" line')
        return
    p = run(agent, '--check-config', '--config', main)
    if p.returncode != 1:
        fail(main, f'exit {p.returncode}, expected 1', p.stdout + p.stderr)
        return
    got = [l for l in p.stderr.splitlines() if l.strip()]
    for path, line, setting in exp:
        pre = error_prefix(os.path.normpath(path), line, setting)
        hits = [g for g in got if os.path.normpath(g.split(':', 1)[0]) == os.path.normpath(path)
                and g[len(g.split(':', 1)[0]):].startswith(pre[len(pre.split(':', 1)[0]):])]
        if setting == '-':
            # no setting path: the rest must not start with a "policies..."/"agent..." path
            hits = [h for h in hits if not re.match(r'^(agent|policies)[.\w\[\]]*: ', h[len(pre):])]
        if not hits:
            fail(main, f'no error "{pre}..."', p.stderr)
            return
    if len(got) != len(exp):
        fail(main, f'{len(got)} errors printed, {len(exp)} expected', p.stderr)


def check_good(agent, main, n):
    global checks
    checks += 1
    p = run(agent, '--check-config', '--config', main)
    want = f'OK: {n} {"policy" if n == 1 else "policies"}\n'
    if p.returncode != 0 or p.stdout != want:
        fail(main, f'exit {p.returncode}, stdout {p.stdout!r}; expected 0 and {want!r}', p.stderr)


def good_count(main):
    with open(main, encoding='utf-8') as fh:
        for line in fh:
            m = EXPECT_OK.match(line)
            if m:
                return int(m.group(1))
    return None


def cases(d):
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.endswith('.conf') and os.path.isfile(p):
            yield p
        elif os.path.isdir(p) and os.path.isfile(os.path.join(p, 'agent.conf')):
            yield os.path.join(p, 'agent.conf')


def main():
    global checks
    ap = argparse.ArgumentParser()
    ap.add_argument('--agent', help='the built aurora-backup-agent (default: $ABA_BUILD_ROOT/agent/...)')
    ap.add_argument('--data', help='tests/data/config (default: $TEST_DATA_DIR/config)')
    ap.add_argument('--examples', help='config/examples (default: $ABA_SOURCE_ROOT/config/examples)')
    a = ap.parse_args()
    agent = a.agent or os.path.join(os.environ.get('ABA_BUILD_ROOT', ''), 'agent', 'aurora-backup-agent')
    data = a.data or os.path.join(os.environ.get('TEST_DATA_DIR', ''), 'config')
    examples = a.examples or os.path.join(os.environ.get('ABA_SOURCE_ROOT', ''), 'config', 'examples')
    if not os.access(agent, os.X_OK):
        print(f'SKIP: {agent} is not built')
        return 77
    if not os.path.isdir(os.path.join(data, 'bad')):
        print(f'FAIL: no corpus at {data}/bad')
        return 1

    bad = list(cases(os.path.join(data, 'bad')))
    for f in bad:
        check_bad(agent, f)
    good = list(cases(os.path.join(data, 'good')))
    for f in good:
        n = good_count(f)
        if n is None:
            checks += 1
            fail(f, 'declares no "# expect-ok: N" line')
        else:
            check_good(agent, f, n)
    for name, n in EXAMPLES.items():
        check_good(agent, os.path.join(examples, name), n)

    # probe_command is a command the agent runs: its file writable by group or others is warned about.
    with tempfile.TemporaryDirectory(prefix='aba-check-config-') as tmp:
        conf = os.path.join(tmp, 'agent.conf')
        shutil.copy(os.path.join(examples, 'full.conf'), conf)
        with open(conf, encoding='utf-8') as fh:
            line = next(i for i, l in enumerate(fh, 1) if 'probe_command' in l)
        for mode, warned in ((0o664, 'its group'), (0o646, 'others'), (0o666, 'group and others'),
                             (0o644, None), (0o600, None)):
            checks += 1
            os.chmod(conf, mode)
            p = run(agent, '--check-config', '--config', conf)
            want = (f'warning: {conf}:{line}: policies.[0].restore_test.probe_command: the file holds a command '
                    f'the agent runs, and is writable by {warned} (mode {mode:04o})')
            if p.returncode != 0 or p.stdout != f'OK: {EXAMPLES["full.conf"]} policies\n':
                fail(f'probe file mode {mode:04o}', f'exit {p.returncode}, stdout {p.stdout!r}', p.stderr)
            elif warned and not p.stderr.startswith(want):
                fail(f'probe file mode {mode:04o}', f'no warning "{want}..."', p.stderr)
            elif not warned and p.stderr:
                fail(f'probe file mode {mode:04o}', 'a warning for a file only its owner may write', p.stderr)

    # A file that is not there: exit 1, and the message names it.
    checks += 1
    missing = os.path.join(data, 'no-such-file.conf')
    p = run(agent, '--check-config', '--config', missing)
    if p.returncode != 1 or missing not in p.stderr:
        fail('missing file', f'exit {p.returncode}, expected 1 naming {missing}', p.stderr)

    # Usage errors: exit 2.
    for args in (['--check-config', '--no-such-option'], ['--check-config', 'stray-argument'],
                 ['--check-config', '--config']):
        checks += 1
        p = run(agent, *args)
        if p.returncode != 2:
            fail('usage ' + ' '.join(args), f'exit {p.returncode}, expected 2', p.stderr)

    print(f'{len(bad)} bad cases, {len(good)} good cases, {len(EXAMPLES)} examples; '
          f'{checks - len(failures)} of {checks} checks passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
