"""The journal catalog compiles with journalctl and explains each MESSAGE_ID, read from a private root
(never the host's catalog database).

usage: test_catalog.py CATALOG   (exit 77 without journalctl)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    catalog = sys.argv[1]
    if shutil.which("journalctl") is None:
        print("SKIP: journalctl is not installed")
        return SKIP
    with open(catalog) as f:
        ids = re.findall(r"^-- ([0-9a-f]{32})$", f.read(), re.M)
    if not ids:
        print("FAIL: no entries in", catalog)
        return 1

    with tempfile.TemporaryDirectory(prefix="aba-catalog-") as root:
        cat_dir = os.path.join(root, "usr/lib/systemd/catalog")
        os.makedirs(cat_dir)
        shutil.copy(catalog, cat_dir)
        subprocess.run(["journalctl", "--root", root, "--update-catalog"], check=True)
        listed = subprocess.run(["journalctl", "--root", root, "--list-catalog"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.splitlines()
        found = {line.split()[0]: line for line in listed if line.strip()}
        bad = []
        for mid in ids:
            if mid not in found or "aurora-backup-agent:" not in found[mid]:
                bad.append(f"{mid} not listed by journalctl --list-catalog")
                continue
            text = subprocess.run(["journalctl", "--root", root, "--dump-catalog", mid], check=True,
                                  stdout=subprocess.PIPE, text=True).stdout
            for header in ("Subject:", "Defined-By: aurora-backup-agent", "Documentation:"):
                if header not in text:
                    bad.append(f"{mid} lacks {header}")
        if len(found) != len(set(ids)) or len(ids) != len(set(ids)):
            bad.append(f"{len(ids)} entries in the file, {len(set(ids))} distinct, {len(found)} compiled")
    for b in bad:
        print("FAIL:", b)
    if bad:
        return 1
    print(f"OK: {len(ids)} catalog entries compile and list")
    return 0


if __name__ == "__main__":
    sys.exit(main())
