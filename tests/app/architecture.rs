//! Invariants of the crate doc (`src/lib.rs`), checked by reading the source.

use std::path::{Path, PathBuf};

fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn only_the_clock_reads_the_wall_clock() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut readers = Vec::new();
    for file in rust_files(&source) {
        if file.ends_with("clock.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if ["Utc::now(", "Local::now(", "SystemTime::now("]
                .iter()
                .any(|call| line.contains(call))
            {
                readers.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        readers.is_empty(),
        "read the time from a Clock passed in from the edge instead:\n{}",
        readers.join("\n")
    );
}
