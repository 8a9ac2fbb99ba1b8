//! The local store as a game developer reads it: Debian's `sqlite3` shell
//! (`scripts/sqlite3.sh`), and the queries docs/local-store.md gives.

use std::path::Path;
use std::process::Command;

/// Runs `sql` on `db` in the shell; its output, one row a line, columns
/// separated by `|`.
pub fn sqlite3(db: &Path, sql: &str) -> String {
    let output = Command::new("bash")
        .arg(crate::repo_root().join("scripts/sqlite3.sh"))
        .arg(db)
        .arg(sql)
        .output()
        .expect("run scripts/sqlite3.sh");
    let stdout = String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string();
    assert!(
        output.status.success(),
        "sqlite3 {sql}:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The query under the comment that starts with `-- title` in
/// docs/local-store.md's "The local store" section, up to its `;`: the
/// questions a game developer is told to ask, run as written.
pub fn documented_query(title: &str) -> String {
    let page = std::fs::read_to_string(crate::repo_root().join("docs/local-store.md"))
        .expect("read docs/local-store.md");
    let section = &page[page
        .find("## The local store")
        .expect("docs/local-store.md has The local store")..];
    let start = section
        .find(&format!("-- {title}"))
        .unwrap_or_else(|| panic!("docs/local-store.md has no query '-- {title}'"));
    let body = &section[start..];
    let body = &body[body.find('\n').expect("a query after its comment") + 1..];
    body[..=body.find(';').expect("the query ends with ;")].to_string()
}
