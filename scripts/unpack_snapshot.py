"""Unpacks COMMIT of the git directory GIT_DIR into DEST, skipping the files
a repository snapshot lacks (the largest are listed but absent), which
`git archive` cannot do: it stops at the first.

    python3 scripts/unpack_snapshot.py GIT_DIR COMMIT DEST
"""
import os
import subprocess
import sys

git_dir, commit, dest = sys.argv[1:4]
listing = subprocess.run(["git", "-C", git_dir, "ls-tree", "-r", "-z", commit], capture_output=True, check=True).stdout
blobs = []
for entry in filter(None, listing.split(b"\0")):
    meta, path = entry.split(b"\t", 1)
    mode, kind, sha = meta.split()
    if kind == b"blob":
        blobs.append((mode, sha, path.decode()))
reader = subprocess.Popen(["git", "-C", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = []
for mode, sha, path in blobs:
    reader.stdin.write(sha + b"\n")
    reader.stdin.flush()
    header = reader.stdout.readline()
    if header.endswith(b" missing\n"):
        missing.append(path)
        continue
    data = reader.stdout.read(int(header.split()[2]))
    reader.stdout.read(1)
    target = os.path.join(dest, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if mode == b"120000":
        os.symlink(data.decode(), target)
    else:
        with open(target, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(target, 0o755)
reader.stdin.close()
reader.wait()
print(f"unpack_snapshot: {len(blobs) - len(missing)} files; not in the snapshot: {', '.join(missing) or 'none'}", file=sys.stderr)
