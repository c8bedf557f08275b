//! The house's layers, checked: a module may use only modules below it, so a change never
//! ripples upwards and no two features lean on each other. Lowest first; a feature reacts to
//! another's changes through what the lower one writes, never by being called from below.
//! `make test` runs this with the unit tests.

/// Every top-level module of the crate, lowest first.
pub const ORDER: &[&str] = &[
    "clock",
    "nhs_number",
    "entities",
    "error",
    "db",
    "events",
    "state",
    "session",
    "access",
    "ui",
    "forms",
    "auth",
    "plan",
    "carers",
    "preparation",
    "results",
    "sharing",
    "fhir",
    "reminders",
    "today",
    "accessibility",
    "care_team",
    "shell",
];

/// Uses that still point upwards, as (from, to). None now: a lower feature records what
/// changed as a domain event (`crate::events`) and the higher one reacts. The list may only
/// shrink: the test fails on a new upward use, and on an entry here that no longer happens.
pub const NOT_YET_DOWNWARDS: &[(&str, &str)] = &[];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::{NOT_YET_DOWNWARDS, ORDER};

    fn rank(module: &str) -> Option<usize> {
        ORDER.iter().position(|m| *m == module)
    }

    /// The top-level module a file belongs to (`plan/pages.rs` → `plan`).
    fn owner(relative: &Path) -> Option<String> {
        let first = relative.components().next()?.as_os_str().to_str()?;
        Some(first.trim_end_matches(".rs").to_owned())
    }

    /// The top-level modules a file names through `crate::`, comments left out.
    fn uses(source: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or_default();
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `crate::{a, b::c}`
                    let inside = group.split('}').next().unwrap_or_default();
                    for part in inside.split(',') {
                        let name = part.trim().split("::").next().unwrap_or_default();
                        out.insert(name.trim().to_owned());
                    }
                } else {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.insert(name);
                }
            }
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_module_uses_only_modules_below_it_and_the_list_of_exceptions_only_shrinks() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut upward: BTreeSet<(String, String)> = BTreeSet::new();
        let mut where_: Vec<String> = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).expect("under src");
            let Some(from) = owner(relative) else {
                continue;
            };
            if from == "lib" || from == "main" || from == "layers" {
                continue;
            }
            let from_rank = rank(&from)
                .unwrap_or_else(|| panic!("{from} (in {relative:?}) is not in layers::ORDER"));
            let source = std::fs::read_to_string(file).expect("read");
            for to in uses(&source) {
                if to == from {
                    continue;
                }
                if let Some(to_rank) = rank(&to)
                    && to_rank > from_rank
                {
                    where_.push(format!("{} uses crate::{to}", relative.display()));
                    upward.insert((from.clone(), to));
                }
            }
        }
        let allowed: BTreeSet<(String, String)> = NOT_YET_DOWNWARDS
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        let new: Vec<_> = upward.difference(&allowed).collect();
        assert!(
            new.is_empty(),
            "modules using modules above them: {new:?}\n{}",
            where_.join("\n")
        );
        let fixed: Vec<_> = allowed.difference(&upward).collect();
        assert!(
            fixed.is_empty(),
            "no longer upwards, take them off layers::NOT_YET_DOWNWARDS: {fixed:?}"
        );
    }

    #[test]
    fn the_check_sees_grouped_and_inline_uses_but_not_comments() {
        let found =
            uses("use crate::{plan::x, carers};\nlet a = crate::reminders::f(); // crate::shell\n");
        let expected: BTreeSet<String> = ["plan", "carers", "reminders"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(found, expected);
    }
}
