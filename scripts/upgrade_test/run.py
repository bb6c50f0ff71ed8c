"""Upgrade test (scripts/test runs it; README): the oldest release in git, data, update, compare.

1. The oldest commit of ``prisolve_altinn/__manifest__.py`` is taken out of git (``git archive``) into a
   temporary folder and installed into a database of its own.
2. ``old_data.py`` runs in ``odoo-bin shell`` on that code: companies on Altinn 2 (own and firm datasystem),
   one without, fetched and uploaded documents of every type, drafts and posted entries, a failed row, a
   letter set aside; what a person would see is written to a baseline file.
3. ``-u prisolve_altinn`` with the addons path switched to this working tree.
4. ``check.py`` runs in ``odoo-bin shell`` on the working tree: nothing lost, settings kept, the old booking
   job gone; then the same items fetched again, the same files uploaded again and the booking job run twice:
   nothing booked twice, posted entries untouched.

The databases and the filestore are dropped at the end (``--keep`` keeps them). Exit status 0 only when every
check passed. Run: ``/opt/odoo-venv/bin/python scripts/upgrade_test/run.py [--odoo-bin PATH] [--db NAME]``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
MANIFEST = "prisolve_altinn/__manifest__.py"
LOG_PROBLEM = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (ERROR|CRITICAL) ", re.M)


class Failed(Exception):
    pass


def git(*args):
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    if result.returncode:
        raise Failed(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def manifest_version(text):
    match = re.search(r"""["']version["']\s*:\s*["']([\d.]+)["']""", text)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def oldest_release():
    """(commit, version) of the first commit that has the addon's manifest."""
    if git("rev-parse", "--is-shallow-repository").strip() == "true":
        raise Failed(
            "this clone is shallow: the upgrade test installs the oldest release from git history. "
            "Fetch the whole history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)."
        )
    commits = git("log", "--reverse", "--format=%H", "--", MANIFEST).split()
    if not commits:
        raise Failed(f"no commit has {MANIFEST}")
    commit = commits[0]
    version = manifest_version(git("show", f"{commit}:{MANIFEST}"))
    current = manifest_version((ROOT / MANIFEST).read_text(encoding="utf-8"))
    if not version or not current or version >= current:
        raise Failed(
            f"the oldest release {commit[:10]} ({version}) is not older than the working tree ({current})"
        )
    return commit, ".".join(map(str, version))


class Odoo:
    def __init__(self, python, odoo_bin, db, workdir):
        self.python = python
        self.odoo_bin = Path(odoo_bin)
        self.db = db
        self.workdir = workdir
        src = self.odoo_bin.parent
        self.base_paths = [str(src / "addons"), str(src / "odoo" / "addons")]

    def conf(self, addons):
        path = self.workdir / "odoo.conf"
        path.write_text(
            "[options]\n"
            f"addons_path = {','.join([*self.base_paths, str(addons)])}\n"
            f"data_dir = {self.workdir / 'data'}\n"
            f"db_name = {self.db}\n"
            f"dbfilter = ^{self.db}$\n"
            "http_interface = 127.0.0.1\n"
            "without_demo = all\n",
            encoding="utf-8",
        )
        return path

    def run(self, what, addons, *args, command=(), stdin=None):
        log = self.workdir / f"{what}.log"
        cmd = [self.python, str(self.odoo_bin), *command, "-c", str(self.conf(addons)), "-d", self.db]
        cmd += [*args, "--log-level=warn"]
        with open(log, "w", encoding="utf-8") as out:
            result = subprocess.run(
                cmd, input=stdin, stdout=out, stderr=subprocess.STDOUT, text=True, check=False
            )
        text = log.read_text(encoding="utf-8")
        if result.returncode or LOG_PROBLEM.search(text):
            tail = "\n".join(text.splitlines()[-60:])
            raise Failed(f"{what} failed (exit {result.returncode}); log {log}:\n{tail}")
        return text

    def shell(self, what, addons, module, baseline):
        code = (
            f"import sys\nsys.path.insert(0, {str(SCRIPTS)!r})\n"
            f"from upgrade_test import {module}\n{module}.main(env, {str(baseline)!r})\n"
        )
        out = self.run(what, addons, "--no-http", command=["shell"], stdin=code)
        return [line for line in out.splitlines() if line.startswith(f"{module}:")]


def dropdb(name):
    subprocess.run(["dropdb", "--if-exists", name], capture_output=True, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odoo-bin", default=os.environ.get("ODOO_BIN"))
    parser.add_argument(
        "--db", default=os.environ.get("UPGRADE_DB") or f"prisolve_upgrade_{int(time.time())}"
    )
    parser.add_argument("--from", dest="commit", help="install this commit instead of the oldest release")
    parser.add_argument("--template", help="development: copy this database (old release installed)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary folder")
    args = parser.parse_args()
    if not args.odoo_bin:
        import odoo

        args.odoo_bin = str(Path(odoo.__file__).resolve().parents[1] / "odoo-bin")
    started = time.monotonic()
    laps = []

    def lap(name, since=[started]):  # noqa: B006 - the time of the previous lap
        now = time.monotonic()
        laps.append(f"{name} {now - since[0]:.0f} s")
        since[0] = now

    workdir = Path(tempfile.mkdtemp(prefix="prisolve_upgrade_"))
    odoo = Odoo(sys.executable, args.odoo_bin, args.db, workdir)
    try:
        if args.commit:
            commit = git("rev-parse", args.commit).strip()
            release = ".".join(map(str, manifest_version(git("show", f"{commit}:{MANIFEST}"))))
        else:
            commit, release = oldest_release()
        old = workdir / "old"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "prisolve_altinn"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        print(f"upgrade test: {release} ({commit[:10]}) -> working tree, database {args.db}", flush=True)
        dropdb(args.db)
        if args.template:  # development: a copy of a database where the old release is installed
            subprocess.run(["createdb", "-T", args.template, args.db], check=True)
        else:
            odoo.run("install-old", old, "-i", "prisolve_altinn", "--stop-after-init")
        lap(f"install {release}")
        baseline = workdir / "baseline.json"
        print("\n".join(odoo.shell("data-old", old, "old_data", baseline)), flush=True)
        lap("data")
        odoo.run("update", ROOT, "-u", "prisolve_altinn", "--stop-after-init")
        lap("update")
        print("\n".join(odoo.shell("check", ROOT, "check", baseline)), flush=True)
        lap("checks")
    except (Failed, subprocess.CalledProcessError) as exc:
        print(f"UPGRADE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        print(f"upgrade test wall time: {', '.join(laps) or '-'}; total {time.monotonic() - started:.0f} s")
        if args.keep:
            print(f"kept: database {args.db}, folder {workdir}")
        else:
            dropdb(args.db)
            shutil.rmtree(workdir, ignore_errors=True)
    print("upgrade test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
